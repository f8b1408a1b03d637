using VggSharp.Kernels;
using VggSharp.Tensors;

namespace VggSharp.Layers;

/// <summary>Cross-channel local response normalisation (Krizhevsky et al. 2012), used by the paper's A-LRN.</summary>
public sealed class LocalResponseNorm(string name, LrnParameters parameters) : Layer(name)
{
    private Tensor? _input, _output, _scale, _gradInput;

    /// <summary>The normalisation's constants.</summary>
    public LrnParameters Settings { get; } = parameters;

    /// <inheritdoc />
    public override TensorShape OutputShape(TensorShape input) =>
        input.Rank == 4 ? input : throw new ArgumentException($"{Name} (LRN) expects [N, C, H, W] input, got {input}.");

    /// <inheritdoc />
    public override string Describe() => $"LocalResponseNorm size {Settings.Size}, alpha {Settings.Alpha}, beta {Settings.Beta}, k {Settings.K}";

    /// <inheritdoc />
    public override Tensor Forward(Tensor input, ForwardContext context)
    {
        _input = input;
        var shape = OutputShape(input.Shape);
        var output = Reuse(ref _output, shape);
        Backend.LrnForward(input, output, Reuse(ref _scale, shape, TensorFormat.Float32), Settings);
        return output;
    }

    /// <inheritdoc />
    public override Tensor? Backward(Tensor gradOutput, bool computeInputGradient)
    {
        var input = Saved(_input, Name);
        if (!computeInputGradient) return null;
        var gradInput = Reuse(ref _gradInput, input.Shape);
        Backend.LrnBackward(input, _output!, _scale!, gradOutput, gradInput, Settings);
        return gradInput;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        _output?.Dispose();
        _scale?.Dispose();
        _gradInput?.Dispose();
    }
}
