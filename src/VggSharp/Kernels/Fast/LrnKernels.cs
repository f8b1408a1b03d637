using VggSharp.Tensors;

namespace VggSharp.Kernels.Fast;

/// <summary>Cross-channel local response normalisation, vectorised along pixels and parallel over (image, channel) planes.</summary>
internal static unsafe class LrnKernels
{
    public static void Forward(Workers workers, Tensor input, Tensor output, Tensor scale, LrnParameters parameters)
    {
        var job = new ForwardPlanes(input, output, scale, parameters);
        workers.For(input.Shape.N * input.Shape.C, ref job);
    }

    private readonly struct ForwardPlanes(Tensor input, Tensor output, Tensor scale, LrnParameters parameters) : IWorkPiece
    {
        public void Run(int plane)
        {
            int c = input.Shape.C, hw = input.Shape.H * input.Shape.W;
            int before = parameters.Size / 2, after = (parameters.Size - 1) / 2;
            float* x = input.Data(), y = output.Data(), s = scale.Data();
            int n = plane / c, ci = plane % c;
            var sc = new Span<float>(s + (long)plane * hw, hw);
            sc.Clear();
            for (int cj = Math.Max(0, ci - before); cj <= Math.Min(c - 1, ci + after); cj++)
            {
                var xj = new ReadOnlySpan<float>(x + ((long)n * c + cj) * hw, hw);
                ElementWise.Apply(new SquareAddOperator(), xj, sc, sc);
            }
            ElementWise.Apply(new NormalizeOperator(0f, parameters.Alpha / parameters.Size, parameters.K), sc, sc, sc);
            ElementWise.Apply(new PowerScaleOperator(-parameters.Beta), new ReadOnlySpan<float>(x + (long)plane * hw, hw), sc,
                new Span<float>(y + (long)plane * hw, hw));
        }
    }

    public static void Backward(Workers workers, Tensor input, Tensor output, Tensor scale, Tensor gradOutput, Tensor gradInput, LrnParameters parameters)
    {
        var job = new BackwardPlanes(input, output, scale, gradOutput, gradInput, parameters);
        workers.For(input.Shape.N * input.Shape.C, ref job);
    }

    private readonly struct BackwardPlanes(Tensor input, Tensor output, Tensor scale, Tensor gradOutput, Tensor gradInput, LrnParameters parameters) : IWorkPiece
    {
        public void Run(int plane)
        {
            int c = input.Shape.C, hw = input.Shape.H * input.Shape.W;
            int before = parameters.Size / 2, after = (parameters.Size - 1) / 2;
            float factor = 2f * parameters.Alpha * parameters.Beta / parameters.Size;
            float* x = input.Data(), y = output.Data(), s = scale.Data(), dy = gradOutput.Data(), dx = gradInput.Data();
            int n = plane / c, cj = plane % c;
            float* scratch = Workspace.Scratch(2 * hw);
            Span<float> cross = new(scratch, hw), term = new(scratch + hw, hw);
            cross.Clear();
            // Output channel ci depends on input channel cj when cj lies in ci's window.
            for (int ci = Math.Max(0, cj - after); ci <= Math.Min(c - 1, cj + before); ci++)
            {
                long i = ((long)n * c + ci) * hw;
                ElementWise.Apply(new MultiplyOperator(), new ReadOnlySpan<float>(dy + i, hw), new ReadOnlySpan<float>(y + i, hw), term);
                ElementWise.Apply(new DivideOperator(), term, new ReadOnlySpan<float>(s + i, hw), term);
                ElementWise.Apply(new AddOperator(), cross, term, cross);
            }
            long j = (long)plane * hw;
            var gradient = new Span<float>(dx + j, hw);
            ElementWise.Apply(new PowerScaleOperator(-parameters.Beta), new ReadOnlySpan<float>(dy + j, hw), new ReadOnlySpan<float>(s + j, hw), gradient);
            ElementWise.Apply(new MultiplyOperator(), new ReadOnlySpan<float>(x + j, hw), cross, term);
            ElementWise.Apply(new ScaledAddOperator(-factor), gradient, term, gradient);
        }
    }
}
