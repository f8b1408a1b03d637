using VggSharp.Tensors;

namespace VggSharp.Layers;

/// <summary>Flattens [N, C, H, W] to [N, C*H*W] in NCHW order, as torch.flatten(x, 1); a view, no copy.</summary>
public sealed class Flatten(string name) : Layer(name)
{
    private TensorShape _inputShape;
    private Tensor? _input, _outputView, _gradOutput, _gradView;

    /// <inheritdoc />
    public override TensorShape OutputShape(TensorShape input) => new(input.N, input.ItemSize);

    /// <inheritdoc />
    public override string Describe() => "Flatten";

    /// <inheritdoc />
    public override Tensor Forward(Tensor input, ForwardContext context)
    {
        _inputShape = input.Shape;
        // The previous layer reuses its output tensor, so the view is made once per input tensor, not per step.
        if (!ReferenceEquals(input, _input) || _outputView!.Shape != OutputShape(input.Shape))
        {
            _input = input;
            _outputView = input.Reshaped(OutputShape(input.Shape));
        }
        return _outputView;
    }

    /// <inheritdoc />
    public override Tensor? Backward(Tensor gradOutput, bool computeInputGradient)
    {
        if (_inputShape.Rank == 0) throw new InvalidOperationException($"Backward on {Name} before Forward.");
        if (!computeInputGradient) return null;
        if (!ReferenceEquals(gradOutput, _gradOutput) || _gradView!.Shape != _inputShape)
        {
            _gradOutput = gradOutput;
            _gradView = gradOutput.Reshaped(_inputShape);
        }
        return _gradView;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        _outputView?.Dispose();
        _gradView?.Dispose();
    }
}
