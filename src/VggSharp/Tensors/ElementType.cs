namespace VggSharp.Tensors;

/// <summary>How a tensor's elements are stored.</summary>
public enum ElementType
{
    /// <summary>IEEE single precision, 4 bytes: every host tensor, every parameter and every gradient of one.</summary>
    Float32,

    /// <summary>
    /// bfloat16, 2 bytes: float32's sign, exponent and top 7 mantissa bits (rounded to nearest even), for activations in
    /// mixed precision on a GPU.
    /// </summary>
    BFloat16,
}
