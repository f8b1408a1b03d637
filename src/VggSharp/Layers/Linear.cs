using VggSharp.Tensors;

namespace VggSharp.Layers;

/// <summary>A fully-connected layer on [N, in] inputs: weight [out, in] and bias [out], as in PyTorch.</summary>
public sealed class Linear : Layer
{
    private Tensor? _input, _output, _gradInput;

    /// <summary>Creates a layer with zero weights and biases (see <see cref="Models.Initializer"/>).</summary>
    public Linear(string name, int inFeatures, int outFeatures) : base(name)
    {
        if (inFeatures <= 0 || outFeatures <= 0) throw new ArgumentException($"Linear {name}: feature counts must be positive.");
        (InFeatures, OutFeatures) = (inFeatures, outFeatures);
        Weight = new Parameter("weight", new TensorShape(outFeatures, inFeatures), decays: true);
        Bias = new Parameter("bias", new TensorShape(outFeatures), decays: false);
    }

    /// <summary>Input features.</summary>
    public int InFeatures { get; }

    /// <summary>Output features.</summary>
    public int OutFeatures { get; }

    /// <summary>Weight [out, in].</summary>
    public Parameter Weight { get; }

    /// <summary>Bias [out].</summary>
    public Parameter Bias { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> Parameters => [Weight, Bias];

    /// <inheritdoc />
    public override TensorShape OutputShape(TensorShape input)
    {
        if (input.Rank != 2 || input[1] != InFeatures)
            throw new ArgumentException($"{Name} ({Describe()}) expects [N, {InFeatures}] input, got {input}.");
        return new TensorShape(input.N, OutFeatures);
    }

    /// <inheritdoc />
    public override long MultiplyAdds(TensorShape input) => (long)InFeatures * OutFeatures;

    /// <inheritdoc />
    public override string Describe() => $"Linear {InFeatures}→{OutFeatures}";

    /// <inheritdoc />
    public override Tensor Forward(Tensor input, ForwardContext context)
    {
        _input = input;
        var output = Reuse(ref _output, OutputShape(input.Shape));
        Backend.LinearForward(input, Weight.Value, Bias.Value, output);
        return output;
    }

    /// <inheritdoc />
    public override Tensor? Backward(Tensor gradOutput, bool computeInputGradient)
    {
        var input = Saved(_input, Name);
        Backend.LinearBackwardWeights(input, gradOutput, Weight.Gradient, Bias.Gradient);
        if (!computeInputGradient) return null;
        var gradInput = Reuse(ref _gradInput, input.Shape);
        Backend.LinearBackwardData(gradOutput, Weight.Value, gradInput);
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
