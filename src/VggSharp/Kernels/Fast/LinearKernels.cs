using VggSharp.Tensors;

namespace VggSharp.Kernels.Fast;

/// <summary>The fully-connected layer as GEMMs: Y = X Wᵀ + b, dX = dY W, dW += dYᵀ X.</summary>
internal static unsafe class LinearKernels
{
    public static void Forward(Workers workers, Tensor input, Tensor weight, Tensor bias, Tensor output)
    {
        int batch = input.Shape[0], inputs = input.Shape[1], outputs = weight.Shape[0];
        for (int n = 0; n < batch; n++) bias.Span.CopyTo(output.Span.Slice(n * outputs, outputs));
        Sgemm.Multiply(workers, false, true, batch, outputs, inputs, input.Data(), inputs, weight.Data(), inputs, output.Data(), outputs, true);
    }

    public static void BackwardData(Workers workers, Tensor gradOutput, Tensor weight, Tensor gradInput)
    {
        int batch = gradInput.Shape[0], inputs = gradInput.Shape[1], outputs = weight.Shape[0];
        Sgemm.Multiply(workers, false, false, batch, inputs, outputs, gradOutput.Data(), outputs, weight.Data(), inputs, gradInput.Data(), inputs, false);
    }

    public static void BackwardWeights(Workers workers, Tensor input, Tensor gradOutput, Tensor gradWeight, Tensor gradBias)
    {
        int batch = input.Shape[0], inputs = input.Shape[1], outputs = gradWeight.Shape[0];
        Sgemm.Multiply(workers, true, false, outputs, inputs, batch, gradOutput.Data(), outputs, input.Data(), inputs, gradWeight.Data(), inputs, true);
        Span<float> db = gradBias.Span;
        for (int n = 0; n < batch; n++) ElementWise.Apply(new AddOperator(), db, gradOutput.Span.Slice(n * outputs, outputs), db);
    }
}
