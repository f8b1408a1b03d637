namespace VggSharp.Layers;

/// <summary>The element types a model's state holds.</summary>
public enum StateElementType
{
    /// <summary>32-bit IEEE float (weights, biases, running statistics).</summary>
    Float32,

    /// <summary>64-bit signed integer (batch norm's num_batches_tracked).</summary>
    Int64,
}
