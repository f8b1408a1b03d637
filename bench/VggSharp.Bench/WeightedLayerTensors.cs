using VggSharp.Tensors;

namespace VggSharp.Bench;

/// <summary>
/// What a layer with a weight and a bias (convolution, fully connected) reads and writes forward and backward: random
/// input, weight, bias and output (the backward benchmarks use the output as the output gradient), and zeroed
/// gradients of the input and the parameters.
/// </summary>
public sealed record WeightedLayerTensors(Tensor Input, Tensor Weight, Tensor Bias, Tensor Output, Tensor GradInput, Tensor GradWeight, Tensor GradBias)
    : IDisposable
{
    /// <summary>The tensors of a layer whose weight has <paramref name="weightShape"/> (output features or channels first).</summary>
    public static WeightedLayerTensors Random(int[] inputShape, int[] weightShape, int[] outputShape)
    {
        var input = RandomTensors.Uniform(1, inputShape);
        var weight = RandomTensors.Uniform(2, weightShape);
        var bias = RandomTensors.Uniform(3, weightShape[0]);
        var output = RandomTensors.Uniform(4, outputShape);
        return new(input, weight, bias, output, new Tensor(input.Shape), new Tensor(weight.Shape), new Tensor(bias.Shape));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var tensor in (Tensor[])[Input, Weight, Bias, Output, GradInput, GradWeight, GradBias]) tensor.Dispose();
    }
}
