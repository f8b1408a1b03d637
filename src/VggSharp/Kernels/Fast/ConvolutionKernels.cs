using VggSharp.Tensors;

namespace VggSharp.Kernels.Fast;

/// <summary>
/// Convolution as GEMM over tiles (see <see cref="ConvGeometry"/>): bands of output rows of one image, or chunks of
/// whole images side by side when the planes are small, so that the GEMM stays wide. Forward Y = W * col, backward
/// data col = Wᵀ * dY then col2im, backward filter dW += dY * colᵀ. Forward and backward data run whole chunks in
/// parallel when that keeps every thread busy or a chunk is too small to split; otherwise chunks and bands run in
/// order with the lowering and each GEMM parallel. A chunk's sums run in the same order either way. Backward filter
/// sums over chunks, so it takes them in an order fixed by the shape: in order, or, when tiles are small, in a fixed
/// number of parts summed side by side and then added in order.
/// </summary>
internal static unsafe class ConvolutionKernels
{
    /// <summary>Below this many multiply-adds per chunk, splitting one chunk costs more in hand-offs than it saves.</summary>
    private const long SmallChunkWork = 1L << 22;

    public static void Forward(Workers workers, ConvolutionAlgorithm algorithm, Tensor input, Tensor weight, Tensor bias, Tensor output, int padding)
    {
        var g = ConvGeometry.Of(input, weight, padding);
        if (WinogradChoice.Forward(algorithm, g))
        {
            WinogradConvolution.Forward(workers, input, weight, bias, output, padding);
            return;
        }
        bool acrossChunks = AcrossChunks(workers, g);
        var job = new ForwardChunk(acrossChunks ? Workers.Single : workers, g, input.Data(), weight.Data(), bias.Data(), output.Data());
        ForEachChunk(workers, g.Chunks, acrossChunks, ref job);
    }

    public static void BackwardData(Workers workers, ConvolutionAlgorithm algorithm, Tensor gradOutput, Tensor weight, Tensor gradInput, int padding)
    {
        var g = ConvGeometry.Of(gradInput, weight, padding);
        if (WinogradChoice.BackwardData(algorithm, g))
        {
            WinogradConvolution.BackwardData(workers, gradOutput, weight, gradInput, padding);
            return;
        }
        bool acrossChunks = AcrossChunks(workers, g);
        var job = new BackwardDataChunk(acrossChunks ? Workers.Single : workers, g, gradOutput.Data(), weight.Data(), gradInput.Data());
        ForEachChunk(workers, g.Chunks, acrossChunks, ref job);
    }

    public static void BackwardFilter(Workers workers, ConvolutionAlgorithm algorithm, Tensor input, Tensor gradOutput, Tensor gradWeight, Tensor gradBias, int padding)
    {
        var g = ConvGeometry.Of(input, gradWeight, padding);
        float* x = input.Data(), dy = gradOutput.Data(), dw = gradWeight.Data();
        var biasJob = new BiasGradient(g, dy, gradBias.Data());
        workers.For(g.Outputs, ref biasJob);
        if (WinogradChoice.BackwardFilter(algorithm, g))
        {
            WinogradConvolution.BackwardFilter(workers, input, gradOutput, gradWeight, padding);
            return;
        }
        int parts = FilterGradientParts(g);
        if (parts == 1)
        {
            var whole = new FilterGradientPart(workers, g, 1, x, dy, dw);
            whole.Run(0);
            return;
        }
        float* sums = Workspace.FilterGradientParts(parts * g.Outputs * g.Patch);
        var job = new FilterGradientPart(Workers.Single, g, parts, x, dy, sums);
        workers.For(parts, ref job);
        var reduce = new FilterGradientReduction(g, parts, sums, dw);
        workers.For(g.Outputs, ref reduce);
    }

    /// <summary>
    /// Into how many parts backward filter splits its sum over tiles: a shape-only count, so the bits never depend on
    /// the thread count. Tiles too small to split well (conv1_1's 16 x 9 by 1,024, one thread each time) are summed
    /// in <see cref="FilterGradientPartCount"/> parts side by side, each in its own buffer, and the parts then added in
    /// order; large tiles keep one sum, their lowering and GEMMs split between the threads.
    /// </summary>
    private static int FilterGradientParts(ConvGeometry g)
    {
        int tiles = g.Chunks * g.Bands;
        var first = g.Tile(0, 0);
        bool small = (long)g.Outputs * g.Patch * first.Columns < SmallChunkWork;
        bool fits = (long)FilterGradientPartCount * g.Outputs * g.Patch <= FilterGradientPartBudget;
        return small && fits ? Math.Min(tiles, FilterGradientPartCount) : 1;
    }

    /// <summary>Parts of a split filter-gradient sum: enough to keep 16 threads busy.</summary>
    private const int FilterGradientPartCount = 16;

    /// <summary>Floats of partial filter gradients a split may hold (4 MB).</summary>
    private const long FilterGradientPartBudget = 1L << 20;

    /// <summary>
    /// Whether to give each thread whole chunks: when they divide evenly over the threads, or one chunk is too little
    /// work to split. Results are the same either way, so this may depend on the thread count.
    /// </summary>
    private static bool AcrossChunks(Workers workers, ConvGeometry g) =>
        workers.Count > 1 && g.Chunks > 1
        && (g.Chunks % workers.Count == 0 || (long)g.Outputs * g.Patch * g.OutPlane * g.ImagesPerChunk < SmallChunkWork);

    private static void ForEachChunk<TJob>(Workers workers, int chunks, bool acrossChunks, ref TJob job) where TJob : struct, IWorkPiece
    {
        if (acrossChunks) workers.For(chunks, ref job);
        else for (int chunk = 0; chunk < chunks; chunk++) job.Run(chunk);
    }

    /// <summary>
    /// The tile's outputs as an [outputs, tile columns] matrix and its row stride: in place when the tile is one
    /// image's band, else the channel-major workspace a chunk is scattered from or gathered into.
    /// </summary>
    private static StridedMatrix OutputMatrix(ConvGeometry g, ConvTile tile, float* outputs) =>
        tile.Images == 1
            ? new(outputs + (long)tile.FirstImage * g.Outputs * g.OutPlane + tile.FirstRow * g.OutWidth, g.OutPlane)
            : new(Workspace.ChunkOutputs(g.Outputs * tile.Columns), tile.Columns);

    /// <summary><see cref="OutputMatrix"/> holding the tile's part of <paramref name="outputs"/>.</summary>
    private static StridedMatrix GatheredOutputs(Workers workers, ConvGeometry g, ConvTile tile, float* outputs)
    {
        var matrix = OutputMatrix(g, tile, outputs);
        if (tile.Images > 1)
            ChannelMajor.Gather(workers, outputs + (long)tile.FirstImage * g.Outputs * g.OutPlane, tile.Images, g.Outputs, g.OutPlane, matrix.Data);
        return matrix;
    }

    /// <summary>The tile's column matrix [patch, tile columns] and its row stride, lowered into the workspace unless the image is its own.</summary>
    private static StridedMatrix InputColumns(Workers workers, ConvGeometry g, ConvTile tile, float* inputs)
    {
        float* images = inputs + (long)tile.FirstImage * g.Channels * g.InPlane;
        if (g.ImageIsColumns(tile)) return new(images + tile.FirstRow * g.OutWidth, g.OutPlane);
        float* columns = Workspace.Columns(g.Patch * tile.Columns);
        Im2Col.Lower(workers, images, g, tile, columns);
        return new(columns, tile.Columns);
    }

    /// <summary>One chunk's forward pass, band by band; <c>workers</c> split each band's work.</summary>
    private readonly struct ForwardChunk(Workers workers, ConvGeometry g, float* x, float* w, float* b, float* y) : IWorkPiece
    {
        public void Run(int chunk)
        {
            for (int band = 0; band < g.Bands; band++)
            {
                var tile = g.Tile(chunk, band);
                var target = OutputMatrix(g, tile, y);
                for (int o = 0; o < g.Outputs; o++) new Span<float>(target.Data + (long)o * target.Stride, tile.Columns).Fill(b[o]);
                var columns = InputColumns(workers, g, tile, x);
                Sgemm.Multiply(workers, false, false, g.Outputs, tile.Columns, g.Patch, w, g.Patch, columns.Data, columns.Stride, target.Data, target.Stride, true);
                if (tile.Images > 1)
                    ChannelMajor.Scatter(workers, target.Data, tile.Images, g.Outputs, g.OutPlane, y + (long)tile.FirstImage * g.Outputs * g.OutPlane);
            }
        }
    }

    /// <summary>One chunk's input gradient, band by band; <c>workers</c> split each band's work.</summary>
    private readonly struct BackwardDataChunk(Workers workers, ConvGeometry g, float* dy, float* w, float* dx) : IWorkPiece
    {
        public void Run(int chunk)
        {
            var first = g.Tile(chunk, 0);
            float* images = dx + (long)first.FirstImage * g.Channels * g.InPlane;
            if (!g.ImageIsColumns(first)) new Span<float>(images, first.Images * g.Channels * g.InPlane).Clear();
            for (int band = 0; band < g.Bands; band++)
            {
                var tile = g.Tile(chunk, band);
                var source = GatheredOutputs(workers, g, tile, dy);
                if (g.ImageIsColumns(tile))
                {
                    Sgemm.Multiply(workers, true, false, g.Channels, tile.Columns, g.Outputs, w, g.Patch, source.Data, source.Stride,
                        images + tile.FirstRow * g.OutWidth, g.OutPlane, false);
                    continue;
                }
                float* columns = Workspace.Columns(g.Patch * tile.Columns);
                Sgemm.Multiply(workers, true, false, g.Patch, tile.Columns, g.Outputs, w, g.Patch, source.Data, source.Stride, columns, tile.Columns, false);
                Im2Col.Raise(workers, columns, g, tile, images);
            }
        }
    }

    /// <summary>
    /// Part p of <c>parts</c>: the filter gradient summed over its consecutive run of tiles, in order, into its own
    /// [outputs, patch] matrix of <c>dw</c> (added to it when there is one part, else written).
    /// </summary>
    private readonly struct FilterGradientPart(Workers workers, ConvGeometry g, int parts, float* x, float* dy, float* dw) : IWorkPiece
    {
        public void Run(int part)
        {
            int tiles = g.Chunks * g.Bands, first = (int)((long)part * tiles / parts), end = (int)((long)(part + 1) * tiles / parts);
            float* target = dw + (long)part * g.Outputs * g.Patch;
            for (int t = first; t < end; t++)
            {
                var tile = g.Tile(t / g.Bands, t % g.Bands);
                var source = GatheredOutputs(workers, g, tile, dy);
                var columns = InputColumns(workers, g, tile, x);
                Sgemm.Multiply(workers, false, true, g.Outputs, g.Patch, tile.Columns, source.Data, source.Stride, columns.Data, columns.Stride,
                    target, g.Patch, parts == 1 || t > first);
            }
        }
    }

    /// <summary>Output channel o's row of the filter gradient plus each part's row, parts in order.</summary>
    private readonly struct FilterGradientReduction(ConvGeometry g, int parts, float* sums, float* dw) : IWorkPiece
    {
        public void Run(int o)
        {
            var row = new Span<float>(dw + (long)o * g.Patch, g.Patch);
            for (int part = 0; part < parts; part++)
                ElementWise.Apply(new AddOperator(), row, new ReadOnlySpan<float>(sums + ((long)part * g.Outputs + o) * g.Patch, g.Patch), row);
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
