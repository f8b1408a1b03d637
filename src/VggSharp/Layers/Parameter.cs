using VggSharp.Tensors;

namespace VggSharp.Layers;

/// <summary>A trainable tensor with its gradient, which backward passes accumulate into.</summary>
public sealed class Parameter : IDisposable
{
    private Tensor? _gradient;

    /// <summary>Creates a zero-initialised parameter and gradient of the given shape.</summary>
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

    /// <summary>The current value.</summary>
    public Tensor Value { get; }

    /// <summary>The accumulated gradient, allocated on first use so that inference-only models do not pay for it.</summary>
    public Tensor Gradient => _gradient ??= new Tensor(Value.Shape);

    /// <summary>Whether weight decay applies to this parameter.</summary>
    public bool Decays { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        Value.Dispose();
        _gradient?.Dispose();
    }
}
