using VggSharp.Tensors;

namespace VggSharp.Kernels.Fast;

/// <summary>
/// Convolution as GEMM over bands of output rows: forward Y = W * col, backward data col = Wᵀ * dY then col2im,
/// backward filter dW += dY * colᵀ. Forward and backward data run whole images in parallel when that keeps every
/// thread busy or an image is too small to split; otherwise images and bands run in order with the lowering and
/// each GEMM parallel. An image's sums run in the same order either way. Backward filter sums over images, so it
/// always takes them in order.
/// </summary>
internal static unsafe class ConvolutionKernels
{
    /// <summary>Below this many multiply-adds per image, splitting one image costs more in hand-offs than it saves.</summary>
    private const long SmallImageWork = 1L << 22;

    public static void Forward(Workers workers, Tensor input, Tensor weight, Tensor bias, Tensor output, int padding)
    {
        var g = ConvGeometry.Of(input, weight, padding);
        bool acrossImages = AcrossImages(workers, g);
        var job = new ForwardImage(acrossImages ? Workers.Single : workers, g, input.Pointer(), weight.Pointer(), bias.Pointer(), output.Pointer());
        ForEachImage(workers, g.Batch, acrossImages, ref job);
    }

    public static void BackwardData(Workers workers, Tensor gradOutput, Tensor weight, Tensor gradInput, int padding)
    {
        var g = ConvGeometry.Of(gradInput, weight, padding);
        bool acrossImages = AcrossImages(workers, g);
        var job = new BackwardDataImage(acrossImages ? Workers.Single : workers, g, gradOutput.Pointer(), weight.Pointer(), gradInput.Pointer());
        ForEachImage(workers, g.Batch, acrossImages, ref job);
    }

    public static void BackwardFilter(Workers workers, Tensor input, Tensor gradOutput, Tensor gradWeight, Tensor gradBias, int padding)
    {
        var g = ConvGeometry.Of(input, gradWeight, padding);
        float* x = input.Pointer(), dy = gradOutput.Pointer(), dw = gradWeight.Pointer();
        var biasJob = new BiasGradient(g, dy, gradBias.Pointer());
        workers.For(g.Outputs, ref biasJob);
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

    /// <summary>
    /// Whether to give each thread whole images: when they divide evenly over the threads, or one image is too little
    /// work to split. Results are the same either way, so this may depend on the thread count.
    /// </summary>
    private static bool AcrossImages(Workers workers, ConvGeometry g) =>
        workers.Count > 1 && g.Batch > 1 && (g.Batch % workers.Count == 0 || (long)g.Outputs * g.Patch * g.OutPlane < SmallImageWork);

    private static void ForEachImage<TJob>(Workers workers, int batch, bool acrossImages, ref TJob job) where TJob : struct, IWorkPiece
    {
        if (acrossImages) workers.For(batch, ref job);
        else for (int n = 0; n < batch; n++) job.Run(n);
    }

    /// <summary>One image's forward pass, band by band; <c>workers</c> split each band's work.</summary>
    private readonly struct ForwardImage(Workers workers, ConvGeometry g, float* x, float* w, float* b, float* y) : IWorkPiece
    {
        public void Run(int n)
        {
            int bandRows = g.BandRows;
            float* columns = g.IsPointwise ? null : Workspace.Columns(g.Patch * bandRows * g.OutWidth);
            float* image = x + (long)n * g.Channels * g.InPlane;
            for (int y0 = 0; y0 < g.OutHeight; y0 += bandRows)
            {
                int rows = Math.Min(bandRows, g.OutHeight - y0), band = rows * g.OutWidth;
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
    }

    /// <summary>One image's input gradient, band by band; <c>workers</c> split each band's work.</summary>
    private readonly struct BackwardDataImage(Workers workers, ConvGeometry g, float* dy, float* w, float* dx) : IWorkPiece
    {
        public void Run(int n)
        {
            int bandRows = g.BandRows;
            float* columns = g.IsPointwise ? null : Workspace.Columns(g.Patch * bandRows * g.OutWidth);
            float* image = dx + (long)n * g.Channels * g.InPlane;
            if (!g.IsPointwise) new Span<float>(image, g.Channels * g.InPlane).Clear();
            for (int y0 = 0; y0 < g.OutHeight; y0 += bandRows)
            {
                int rows = Math.Min(bandRows, g.OutHeight - y0), band = rows * g.OutWidth;
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
    }

    /// <summary>Output channel o's bias gradient, summed over images in order.</summary>
    private readonly struct BiasGradient(ConvGeometry g, float* dy, float* db) : IWorkPiece
    {
        public void Run(int o)
        {
            float sum = 0f;
            for (int n = 0; n < g.Batch; n++)
            {
                var plane = new ReadOnlySpan<float>(dy + ((long)n * g.Outputs + o) * g.OutPlane, g.OutPlane);
                sum += ElementWise.Sum(new FirstOperator(), plane, plane);
            }
            db[o] += sum;
        }
    }
}
