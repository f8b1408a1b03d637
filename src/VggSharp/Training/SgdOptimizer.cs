using VggSharp.Kernels;
using VggSharp.Layers;
using VggSharp.Tensors;

namespace VggSharp.Training;

/// <summary>
/// Mini-batch SGD with momentum and L2 weight decay, as Caffe's VGG solver and PyTorch's <c>torch.optim.SGD</c>
/// (dampening 0, not Nesterov). For each parameter w with gradient g and momentum buffer v (zero at the start):
/// <code>
/// d = g + wd * w        (wd = 0 for biases and batch-norm parameters)
/// v = momentum * v + d
/// w = w - lr * v
/// </code>
/// This is PyTorch's convention, in which the learning rate multiplies the buffer; Caffe's multiplies the gradient
/// before it enters the buffer (v = m * v + lr * d). The two agree while lr is constant and differ only in the steps
/// just after a change of lr. Momentum buffers are allocated once, on the network's device; a step allocates nothing and
/// runs on the network's backend (<see cref="IBackend.SgdUpdate"/>). The optimizer keeps the parameters' tensors, so
/// create it after moving the network to its device.
/// </summary>
public sealed class SgdOptimizer : IDisposable
{
    /// <summary>The prefix of the momentum buffers' keys in <see cref="State"/> ("momentum.features.0.weight").</summary>
    public const string StatePrefix = "momentum.";

    private readonly (string Key, Parameter Parameter, Tensor Velocity)[] _slots;
    private readonly IBackend _backend;
    private Func<string, bool>? _learns;

    /// <summary>Creates the optimizer for every parameter of <paramref name="network"/>, with zero momentum buffers.</summary>
    public SgdOptimizer(Sequential network, SgdOptions? options = null)
    {
        Options = options ?? new SgdOptions();
        Options.Validate();
        _backend = network.Backend;
        _slots = network.Layers
            .SelectMany(layer => layer.Parameters.Select(p => ($"{layer.Name}.{p.Name}", p, _backend.Allocate(p.Value.Shape))))
            .ToArray();
    }

    /// <summary>The hyper-parameters.</summary>
    public SgdOptions Options { get; }

    /// <summary>
    /// The momentum buffers as state entries keyed "momentum." + the parameter's key, in layer order; their bytes alias
    /// the buffers, so a checkpoint writes and restores them without copies.
    /// </summary>
    public IEnumerable<StateEntry> State() => _slots.Select(s => new StateEntry(StatePrefix + s.Key, s.Velocity, trainable: false));

    /// <summary>
    /// From now on, updates only the parameters whose key ("classifier.0.weight") <paramref name="learns"/> accepts; the
    /// others keep their values and their momentum (fine-tuning only some layers, as the paper's localisation compares).
    /// </summary>
    public void LearnOnly(Func<string, bool> learns) => _learns = learns;

    /// <summary>
    /// Updates every parameter (or those <see cref="LearnOnly"/> chose) from its accumulated gradient with learning rate <paramref name="learningRate"/>.
    /// Gradients are left as they are: clear them (<see cref="Sequential.ZeroGradients"/>) before the next backward pass.
    /// </summary>
    public void Step(float learningRate)
    {
        if (!(learningRate >= 0) || float.IsInfinity(learningRate))
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be finite and non-negative.");
        foreach (var (key, parameter, velocity) in _slots)
        {
            if (_learns?.Invoke(key) == false) continue;
            float decay = parameter.Decays ? Options.WeightDecay : 0f;
            _backend.SgdUpdate(parameter.Value, parameter.Gradient, velocity, learningRate, Options.Momentum, decay);
        }
    }

    /// <summary>Sets every momentum buffer to zero, as at the start of training.</summary>
    public void ResetMomentum()
    {
        foreach (var slot in _slots) slot.Velocity.Clear();
    }

    /// <summary>Frees the momentum buffers.</summary>
    public void Dispose()
    {
        foreach (var slot in _slots) slot.Velocity.Dispose();
    }
}
