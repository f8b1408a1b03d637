using System.Diagnostics;

namespace VggSharp.Layers;

/// <summary>
/// Times each layer of one network while it is attached (<see cref="Sequential.Profile"/>): its forward pass, and its
/// backward pass split into the gradient of its input (backward-data) and of its parameters (backward-filter). The
/// split comes from the parameter-gradient kernels (convolution and fully-connected), timed on their own; everything
/// else a layer does in backward counts as backward-data (batch norm's one fused kernel included). Times accumulate
/// until <see cref="Reset"/>. A network with no profiler attached runs exactly as before: the hook costs nothing when off.
/// Not for concurrent passes through the same network.
/// </summary>
public sealed class LayerProfiler : IDisposable
{
    private readonly Sequential _network;
    private readonly long[] _forward, _backward, _backwardFilter;
    private int _current = -1;

    internal LayerProfiler(Sequential network)
    {
        _network = network;
        int count = network.Layers.Count;
        (_forward, _backward, _backwardFilter) = (new long[count], new long[count], new long[count]);
    }

    /// <summary>The accumulated time of every layer, in layer order.</summary>
    public IReadOnlyList<LayerTiming> Timings() =>
        [.. _network.Layers.Select((layer, i) => new LayerTiming(layer, Elapsed(_forward[i]),
            Elapsed(_backward[i] - _backwardFilter[i]), Elapsed(_backwardFilter[i])))];

    /// <summary>Sets every accumulated time to zero.</summary>
    public void Reset()
    {
        Array.Clear(_forward);
        Array.Clear(_backward);
        Array.Clear(_backwardFilter);
    }

    /// <summary>Detaches the profiler: the network's layers run on its backend directly again.</summary>
    public void Dispose() => _network.StopProfiling(this);

    /// <summary>Runs layer <paramref name="index"/>'s forward pass, timed.</summary>
    internal Tensors.Tensor Forward(int index, Tensors.Tensor input, ForwardContext context)
    {
        // On a device the kernels run asynchronously: each layer's work is waited for, so that it is the layer's time.
        _network.Backend.Synchronize();
        long start = Stopwatch.GetTimestamp();
        _current = index;
        var output = _network.Layers[index].Forward(input, context);
        _network.Backend.Synchronize();
        _forward[index] += Stopwatch.GetTimestamp() - start;
        return output;
    }

    /// <summary>Runs layer <paramref name="index"/>'s backward pass, timed.</summary>
    internal Tensors.Tensor? Backward(int index, Tensors.Tensor gradOutput, bool computeInputGradient)
    {
        _network.Backend.Synchronize();
        long start = Stopwatch.GetTimestamp();
        _current = index;
        var gradInput = _network.Layers[index].Backward(gradOutput, computeInputGradient);
        _network.Backend.Synchronize();
        _backward[index] += Stopwatch.GetTimestamp() - start;
        return gradInput;
    }

    /// <summary>Adds the time of a parameter-gradient kernel to the layer whose backward pass is running.</summary>
    internal void AddBackwardFilter(long ticks)
    {
        if (_current >= 0) _backwardFilter[_current] += ticks;
    }

    private static TimeSpan Elapsed(long ticks) => Stopwatch.GetElapsedTime(0, ticks);
}
