using VggSharp.Tensors;

namespace VggSharp.Layers;

/// <summary>2x2 max pooling with stride 2; remembers the argmax of each window for backward.</summary>
public sealed class MaxPool2d(string name) : Layer(name)
{
    private Tensor? _output, _gradInput, _argmax;
    private TensorShape _inputShape;

    /// <inheritdoc />
    public override TensorShape OutputShape(TensorShape input)
    {
        if (input.Rank != 4 || input.H < 2 || input.W < 2)
            throw new ArgumentException($"{Name} (2x2 max pool) needs [N, C, H, W] input with H, W >= 2, got {input}.");
        return new TensorShape(input.N, input.C, input.H / 2, input.W / 2);
    }

    /// <inheritdoc />
    public override string Describe() => "MaxPool2d 2x2, stride 2";

    /// <inheritdoc />
    public override Tensor Forward(Tensor input, ForwardContext context)
    {
        _inputShape = input.Shape;
        var output = Reuse(ref _output, OutputShape(input.Shape));
        Backend.MaxPoolForward(input, output, Reuse(ref _argmax, output.Shape, TensorFormat.Float32));
        return output;
    }

    /// <inheritdoc />
    public override Tensor? Backward(Tensor gradOutput, bool computeInputGradient)
    {
        if (_inputShape.Rank == 0) throw new InvalidOperationException($"Backward on {Name} before Forward.");
        if (!computeInputGradient) return null;
        var gradInput = Reuse(ref _gradInput, _inputShape);
        Backend.MaxPoolBackward(gradOutput, _argmax!, gradInput);
        return gradInput;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        _output?.Dispose();
        _gradInput?.Dispose();
        _argmax?.Dispose();
    }
}
