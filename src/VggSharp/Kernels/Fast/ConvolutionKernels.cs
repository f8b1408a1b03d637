using VggSharp.Tensors;

namespace VggSharp.Kernels.Fast;

/// <summary>
/// Convolution as GEMM over bands of output rows: forward Y = W * col, backward data col = Wᵀ * dY then col2im,
/// backward filter dW += dY * colᵀ. Bands run in order on the calling thread; the lowering and each GEMM are parallel.
/// </summary>
internal static unsafe class ConvolutionKernels
{
    public static void Forward(Workers workers, Tensor input, Tensor weight, Tensor bias, Tensor output, int padding)
    {
        var g = ConvGeometry.Of(input, weight, padding);
        float* x = input.Pointer(), w = weight.Pointer(), y = output.Pointer();
        ReadOnlySpan<float> b = bias.Span;
        int bandRows = g.BandRows;
        float* columns = g.IsPointwise ? null : Workspace.Columns(g.Patch * bandRows * g.OutWidth);
        for (int n = 0; n < g.Batch; n++)
        for (int y0 = 0; y0 < g.OutHeight; y0 += bandRows)
        {
            int rows = Math.Min(bandRows, g.OutHeight - y0), band = rows * g.OutWidth;
            float* image = x + (long)n * g.Channels * g.InPlane;
            float* target = y + (long)n * g.Outputs * g.OutPlane + y0 * g.OutWidth;
            for (int o = 0; o < g.Outputs; o++) new Span<float>(target + (long)o * g.OutPlane, band).Fill(b[o]);
            if (g.IsPointwise)
            {
                Sgemm.Multiply(workers, false, false, g.Outputs, band, g.Patch, w, g.Patch, image + y0 * g.OutWidth, g.OutPlane, target, g.OutPlane, true);
                continue;
            }
            Im2Col.Lower(workers, image, g, y0, rows, columns);
            Sgemm.Multiply(workers, false, false, g.Outputs, band, g.Patch, w, g.Patch, columns, band, target, g.OutPlane, true);
        }
    }

    public static void BackwardData(Workers workers, Tensor gradOutput, Tensor weight, Tensor gradInput, int padding)
    {
        var g = ConvGeometry.Of(gradInput, weight, padding);
        float* dy = gradOutput.Pointer(), w = weight.Pointer(), dx = gradInput.Pointer();
        int bandRows = g.BandRows;
        float* columns = g.IsPointwise ? null : Workspace.Columns(g.Patch * bandRows * g.OutWidth);
        if (!g.IsPointwise) gradInput.Clear();
        for (int n = 0; n < g.Batch; n++)
        for (int y0 = 0; y0 < g.OutHeight; y0 += bandRows)
        {
            int rows = Math.Min(bandRows, g.OutHeight - y0), band = rows * g.OutWidth;
            float* image = dx + (long)n * g.Channels * g.InPlane;
            float* source = dy + (long)n * g.Outputs * g.OutPlane + y0 * g.OutWidth;
            if (g.IsPointwise)
            {
                Sgemm.Multiply(workers, true, false, g.Channels, band, g.Outputs, w, g.Patch, source, g.OutPlane, image + y0 * g.OutWidth, g.OutPlane, false);
                continue;
            }
            Sgemm.Multiply(workers, true, false, g.Patch, band, g.Outputs, w, g.Patch, source, g.OutPlane, columns, band, false);
            Im2Col.Raise(workers, columns, g, y0, rows, image);
        }
    }

    public static void BackwardFilter(Workers workers, Tensor input, Tensor gradOutput, Tensor gradWeight, Tensor gradBias, int padding)
    {
        var g = ConvGeometry.Of(input, gradWeight, padding);
        float* x = input.Pointer(), dy = gradOutput.Pointer(), dw = gradWeight.Pointer();
        workers.For(g.Outputs, o =>
        {
            float sum = 0f;
            for (int n = 0; n < g.Batch; n++)
            {
                var plane = new ReadOnlySpan<float>(dy + ((long)n * g.Outputs + o) * g.OutPlane, g.OutPlane);
                sum += ElementWise.Sum(new FirstOperator(), plane, plane);
            }
            gradBias.Span[o] += sum;
        });
        int bandRows = g.BandRows;
        float* columns = g.IsPointwise ? null : Workspace.Columns(g.Patch * bandRows * g.OutWidth);
        for (int n = 0; n < g.Batch; n++)
        for (int y0 = 0; y0 < g.OutHeight; y0 += bandRows)
        {
            int rows = Math.Min(bandRows, g.OutHeight - y0), band = rows * g.OutWidth;
            float* image = x + (long)n * g.Channels * g.InPlane;
            float* source = dy + (long)n * g.Outputs * g.OutPlane + y0 * g.OutWidth;
            if (g.IsPointwise)
            {
                Sgemm.Multiply(workers, false, true, g.Outputs, g.Patch, band, source, g.OutPlane, image + y0 * g.OutWidth, g.OutPlane, dw, g.Patch, true);
                continue;
            }
            Im2Col.Lower(workers, image, g, y0, rows, columns);
            Sgemm.Multiply(workers, false, true, g.Outputs, g.Patch, band, source, g.OutPlane, columns, band, dw, g.Patch, true);
        }
    }
}
