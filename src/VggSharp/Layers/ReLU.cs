using VggSharp.Tensors;

namespace VggSharp.Layers;

/// <summary>
/// Rectification, in place (as torchvision's inplace=True): forward overwrites its input and backward its output
/// gradient. Safe in VGG because no layer before a ReLU needs its own output for backward.
/// </summary>
public sealed class ReLU(string name) : Layer(name)
{
    private Tensor? _output;

    /// <inheritdoc />
    public override TensorShape OutputShape(TensorShape input) => input;

    /// <inheritdoc />
    public override string Describe() => "ReLU";

    /// <inheritdoc />
    public override Tensor Forward(Tensor input, ForwardContext context)
    {
        Backend.ReluForward(input, input);
        _output = input;
        return input;
    }

    /// <inheritdoc />
    public override Tensor? Backward(Tensor gradOutput, bool computeInputGradient)
    {
        if (!computeInputGradient) return null;
        Backend.ReluBackward(Saved(_output, Name), gradOutput, gradOutput);
        return gradOutput;
    }
}
