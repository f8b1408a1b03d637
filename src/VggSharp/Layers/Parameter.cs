using VggSharp.Kernels;
using VggSharp.Tensors;

namespace VggSharp.Layers;

/// <summary>A trainable tensor with its gradient, which backward passes accumulate into.</summary>
public sealed class Parameter : IDisposable
{
    private Tensor? _gradient;
    /// <summary>Where the parameter lives once moved; null while it is in host memory, as created.</summary>
    private IBackend? _backend;

    /// <summary>Creates a zero-initialised parameter in host memory (a network moves it to its backend's device).</summary>
    /// <param name="name">The key relative to its layer, as in torchvision ("weight", "bias").</param>
    /// <param name="shape">The parameter's shape.</param>
    /// <param name="decays">Whether weight decay applies (weights yes, biases and batch-norm affine parameters no, as in Caffe's VGG solver).</param>
    public Parameter(string name, TensorShape shape, bool decays)
    {
        Name = name;
        Value = new Tensor(shape);
        Decays = decays;
    }

    /// <summary>The key relative to its layer ("weight", "bias").</summary>
    public string Name { get; }

    /// <summary>The current value. Replaced by a copy when the parameter moves to another device.</summary>
    public Tensor Value { get; private set; }

    /// <summary>The accumulated gradient, allocated on first use so that inference-only models do not pay for it.</summary>
    public Tensor Gradient => _gradient ??= _backend?.Allocate(Value.Shape) ?? new Tensor(Value.Shape);

    /// <summary>
    /// Moves the value and gradient to <paramref name="backend"/>'s device (copies; the old tensors are disposed, so
    /// code that keeps a parameter's tensors must take them again after a move).
    /// </summary>
    internal void MoveTo(IBackend backend)
    {
        _backend = backend;
        Value = Layer.Moved(Value, backend);
        if (_gradient is not null) _gradient = Layer.Moved(_gradient, backend);
    }

    /// <summary>Whether weight decay applies to this parameter.</summary>
    public bool Decays { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        Value.Dispose();
        _gradient?.Dispose();
    }
}
