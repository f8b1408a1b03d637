namespace VggSharp.Layers;

/// <summary>One layer's accumulated time from a <see cref="LayerProfiler"/>.</summary>
/// <param name="Layer">The layer.</param>
/// <param name="Forward">Time in its forward pass.</param>
/// <param name="BackwardData">Time in its backward pass other than the parameter gradients: the gradient of its input.</param>
/// <param name="BackwardFilter">Time in its parameter-gradient kernels (convolution and fully-connected layers).</param>
public sealed record LayerTiming(Layer Layer, TimeSpan Forward, TimeSpan BackwardData, TimeSpan BackwardFilter)
{
    /// <summary>All three.</summary>
    public TimeSpan Total => Forward + BackwardData + BackwardFilter;
}
