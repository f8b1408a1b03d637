using VggSharp.Kernels;
using VggSharp.Tensors;

namespace VggSharp.Layers;

/// <summary>
/// A network as a sequence of layers (Caffe's model): forward runs them in order, backward in reverse.
/// Owns its layers and assigns them one backend.
/// </summary>
public sealed class Sequential : IDisposable
{
    private readonly Layer[] _layers;

    /// <summary>Collected once: layers build their parameter lists on each call, and training asks every step.</summary>
    private readonly Parameter[] _parameters;

    /// <summary>Creates a network over <paramref name="layers"/>, all running on <paramref name="backend"/>.</summary>
    public Sequential(IEnumerable<Layer> layers, IBackend backend)
    {
        _layers = layers.ToArray();
        var duplicate = _layers.GroupBy(l => l.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"Two layers are named {duplicate.Key}.");
        Backend = backend;
        _parameters = [.. _layers.SelectMany(l => l.Parameters)];
    }

    /// <summary>The layers in order.</summary>
    public IReadOnlyList<Layer> Layers => _layers;

    /// <summary>
    /// The backend every layer runs on. Setting it moves every layer's parameters and buffers to the backend's device
    /// when that differs (by copies; layers reallocate their work buffers there as they next run). An optimizer keeps
    /// the parameters' tensors, so create it after a move.
    /// </summary>
    public IBackend Backend
    {
        get;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            foreach (var l in _layers) l.MoveTo(value);
            field = value;
            AssignBackends();
        }
    }

    /// <summary>The profiler attached by <see cref="Profile"/>, or null.</summary>
    public LayerProfiler? Profiler { get; private set; }

    /// <summary>All trainable parameters, in layer order.</summary>
    public IEnumerable<Parameter> Parameters => _parameters;

    /// <summary>The full state with torchvision keys ("features.0.weight"), in layer order.</summary>
    public IEnumerable<StateEntry> State() => _layers.SelectMany(l => l.State().Select(e => e.WithKey($"{l.Name}.{e.Key}")));

    /// <summary>The number of trainable parameters.</summary>
    public long ParameterCount => Parameters.Sum(p => (long)p.Value.Length);

    /// <summary>The output shape for an input shape, or an exception naming the first layer that does not fit.</summary>
    public TensorShape OutputShape(TensorShape input)
    {
        foreach (var l in _layers) input = l.OutputShape(input);
        return input;
    }

    /// <summary>Runs the layers in order. The result belongs to the last layer and is overwritten by the next call.</summary>
    public Tensor Forward(Tensor input, ForwardContext context) => Forward(input, context, _layers.Length);

    /// <summary>
    /// Runs the first <paramref name="layerCount"/> layers in order (an intermediate layer's output, as a feature
    /// extractor wants); the result belongs to the last of them and is overwritten by the next call.
    /// </summary>
    public Tensor Forward(Tensor input, ForwardContext context, int layerCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(layerCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(layerCount, _layers.Length);
        var profiler = Profiler;
        for (int i = 0; i < layerCount; i++)
            input = profiler is null ? _layers[i].Forward(input, context) : profiler.Forward(i, input, context);
        return input;
    }

    /// <summary>
    /// Runs backward from the gradient of the output, adding every parameter's gradient; the first layer's input
    /// gradient is skipped. <paramref name="layerFinished"/>, if given, gets each layer's index as soon as that layer's
    /// parameter gradients are complete (last layer first), so their communication can start while backward goes on.
    /// </summary>
    public void Backward(Tensor gradOutput, Action<int>? layerFinished = null)
    {
        var profiler = Profiler;
        for (int i = _layers.Length - 1; i >= 0; i--)
        {
            var g = profiler is null ? _layers[i].Backward(gradOutput, computeInputGradient: i > 0) : profiler.Backward(i, gradOutput, i > 0);
            layerFinished?.Invoke(i);
            if (i > 0) gradOutput = g!;
        }
    }

    /// <summary>
    /// Attaches a profiler that times every layer's forward pass, backward-data and backward-filter from now on, until
    /// it is disposed. One profiler at a time.
    /// </summary>
    public LayerProfiler Profile()
    {
        if (Profiler is not null) throw new InvalidOperationException("The network is already being profiled; dispose that profiler first.");
        Profiler = new LayerProfiler(this);
        AssignBackends();
        return Profiler;
    }

    /// <summary>Detaches <paramref name="profiler"/> if it is the one attached.</summary>
    internal void StopProfiling(LayerProfiler profiler)
    {
        if (!ReferenceEquals(Profiler, profiler)) return;
        Profiler = null;
        AssignBackends();
    }

    // While profiled, layers reach the backend through a wrapper that times the parameter-gradient kernels.
    private void AssignBackends()
    {
        IBackend backend = Profiler is null ? Backend : new ProfilingBackend(Backend, Profiler);
        foreach (var l in _layers) l.Backend = backend;
    }

    /// <summary>Sets every parameter gradient to zero (see <see cref="Parameter.Gradient"/>), on any device.</summary>
    public void ZeroGradients()
    {
        foreach (var p in _parameters) p.Gradient.Clear();
    }

    /// <summary>Frees every layer.</summary>
    public void Dispose()
    {
        foreach (var l in _layers) l.Dispose();
    }
}
