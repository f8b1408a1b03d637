using VggSharp.Tensors;

namespace VggSharp.Layers;

/// <summary>
/// Flattens [N, C, H, W] to [N, C*H*W] in NCHW order, as torch.flatten(x, 1): a view, no copy, of a row-major input; a
/// channels-last input (bf16 mixed precision on a GPU) is converted to row-major order into a buffer of the layer's own.
/// </summary>
public sealed class Flatten(string name) : Layer(name)
{
    private TensorShape _inputShape;
    private TensorFormat _inputFormat;
    private Tensor? _input, _outputView, _gradOutput, _gradView, _output, _gradInput;

    /// <inheritdoc />
    public override TensorShape OutputShape(TensorShape input) => new(input.N, input.ItemSize);

    /// <inheritdoc />
    public override string Describe() => "Flatten";

    /// <inheritdoc />
    public override Tensor Forward(Tensor input, ForwardContext context)
    {
        _inputShape = input.Shape;
        _inputFormat = input.Format;
        var shape = OutputShape(input.Shape);
        if (input.Format.ChannelsLast)
        {
            var output = Reuse(ref _output, shape, input.Format with { ChannelsLast = false });
            using var rowMajor = output.Reshaped(input.Shape);
            Backend.Convert(input, rowMajor);
            return output;
        }
        // The previous layer reuses its output tensor, so the view is made once per input tensor, not per step.
        if (!ReferenceEquals(input, _input) || _outputView!.Shape != shape)
        {
            _input = input;
            _outputView = input.Reshaped(shape);
        }
        return _outputView;
    }

    /// <inheritdoc />
    public override Tensor? Backward(Tensor gradOutput, bool computeInputGradient)
    {
        if (_inputShape.Rank == 0) throw new InvalidOperationException($"Backward on {Name} before Forward.");
        if (!computeInputGradient) return null;
        if (_inputFormat.ChannelsLast)
        {
            var gradInput = Reuse(ref _gradInput, _inputShape, _inputFormat);
            using var rowMajor = gradOutput.Reshaped(_inputShape);
            Backend.Convert(rowMajor, gradInput);
            return gradInput;
        }
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
        _output?.Dispose();
        _gradInput?.Dispose();
    }
}
