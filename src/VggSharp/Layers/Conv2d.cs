using VggSharp.Tensors;

namespace VggSharp.Layers;

/// <summary>
/// A square-kernel, stride-1 convolution with zero padding: 3x3 pad 1 and 1x1 pad 0 in VGG's convolutional part,
/// 7x7 pad 0 (and 1x1) in the fully-convolutional form used for dense evaluation.
/// Weight [out, in, k, k] and bias [out], as in PyTorch.
/// </summary>
public sealed class Conv2d : Layer
{
    private Tensor? _input, _output, _gradInput;

    /// <summary>Creates a convolution with zero weights and biases (see <see cref="Models.Initializer"/>).</summary>
    public Conv2d(string name, int inChannels, int outChannels, int kernelSize, int padding) : base(name)
    {
        if (inChannels <= 0 || outChannels <= 0) throw new ArgumentException($"Conv2d {name}: channel counts must be positive.");
        if (kernelSize <= 0 || padding < 0) throw new ArgumentException($"Conv2d {name}: invalid kernel {kernelSize} or padding {padding}.");
        (InChannels, OutChannels, KernelSize, Padding) = (inChannels, outChannels, kernelSize, padding);
        Weight = new Parameter("weight", new TensorShape(outChannels, inChannels, kernelSize, kernelSize), decays: true);
        Bias = new Parameter("bias", new TensorShape(outChannels), decays: false);
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Kernel height and width.</summary>
    public int KernelSize { get; }

    /// <summary>Zero padding on each side.</summary>
    public int Padding { get; }

    /// <summary>Weight [out, in, k, k].</summary>
    public Parameter Weight { get; }

    /// <summary>Bias [out].</summary>
    public Parameter Bias { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> Parameters => [Weight, Bias];

    /// <inheritdoc />
    public override TensorShape OutputShape(TensorShape input)
    {
        if (input.Rank != 4 || input.C != InChannels)
            throw new ArgumentException($"{Name} ({Describe()}) expects [N, {InChannels}, H, W] input, got {input}.");
        int h = input.H + 2 * Padding - KernelSize + 1, w = input.W + 2 * Padding - KernelSize + 1;
        if (h <= 0 || w <= 0)
            throw new ArgumentException($"{Name} ({Describe()}): input {input} is smaller than the {KernelSize}x{KernelSize} kernel.");
        return new TensorShape(input.N, OutChannels, h, w);
    }

    /// <inheritdoc />
    public override long MultiplyAdds(TensorShape input)
    {
        var o = OutputShape(input);
        return (long)OutChannels * InChannels * KernelSize * KernelSize * o.H * o.W;
    }

    /// <inheritdoc />
    public override string Describe() => $"Conv2d {InChannels}→{OutChannels}, {KernelSize}x{KernelSize}, pad {Padding}";

    /// <inheritdoc />
    public override Tensor Forward(Tensor input, ForwardContext context)
    {
        _input = input;
        var output = Reuse(ref _output, OutputShape(input.Shape));
        Backend.Conv2dForward(input, Weight.Value, Bias.Value, output, Padding);
        return output;
    }

    /// <inheritdoc />
    public override Tensor? Backward(Tensor gradOutput, bool computeInputGradient)
    {
        var input = Saved(_input, Name);
        Backend.Conv2dBackwardFilter(input, gradOutput, Weight.Gradient, Bias.Gradient, Padding);
        if (!computeInputGradient) return null;
        var gradInput = Reuse(ref _gradInput, input.Shape);
        Backend.Conv2dBackwardData(gradOutput, Weight.Value, gradInput, Padding);
        return gradInput;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _output?.Dispose();
        _gradInput?.Dispose();
    }
}
