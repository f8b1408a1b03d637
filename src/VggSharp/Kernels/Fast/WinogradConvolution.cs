using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using VggSharp.Tensors;

namespace VggSharp.Kernels.Fast;

/// <summary>
/// 3x3 stride-1 convolutions by Winograd's F(4x4, 3x3): each 4x4 output tile is Aᵀ [U ⊙ V] A, where V = Bᵀ d B is the
/// tile's 6x6 input patch transformed and U = G g Gᵀ the filter transformed. Summed over input channels, the
/// element-wise products become 36 GEMMs (one per transformed point): M[ξ] (outputs x tiles) = U[ξ] (outputs x
/// inputs) * V[ξ] (inputs x tiles), 36 multiplies per tile and channel pair where direct convolution needs 144.
/// Filters are transformed once per call, straight into the GEMM's packed layout; tiles go through in blocks (see
/// <see cref="WinogradGeometry"/>): transform the block's inputs, run the 36 GEMMs, transform back and add the bias.
/// Backward data is the same computation on the output gradient with the filters flipped and transposed. Backward
/// filter is the gradient of that algorithm with respect to g: dW = Gᵀ [sum over tiles of (A dY Aᵀ) ⊙ (Bᵀ d B)] G,
/// again 36 GEMMs, now summing over tiles: dU[ξ] (outputs x inputs) += Z[ξ] (outputs x tiles) * V[ξ]ᵀ.
/// Every output's sums run in an order fixed by the shape, so the bits do not depend on the thread count.
/// </summary>
internal static unsafe class WinogradConvolution
{
    private const int Points = WinogradTransform.Points;

    /// <summary>Lanes per vector group: tiles transformed together.</summary>
    private const int Lanes = TilePhases.Tiles;

    /// <summary>Floats of transformed filters above which they are written with non-temporal stores (16 MB).</summary>
    private const long StreamedFilters = 4L << 20;

    /// <summary>Tile rows narrower than this are moved between pixels and tile lanes element by element.</summary>
    internal const int NarrowRows = 8;

    /// <summary>Rows of a packed panel of the GEMM's left operand.</summary>
    private const int PanelRows = GemmMicroKernel<Vector512<float>, Width512>.Rows;

    public static void Forward(Workers workers, Tensor input, Tensor weight, Tensor bias, Tensor output, int padding)
    {
        var g = WinogradGeometry.Of(ConvGeometry.Of(input, weight, padding)) with { Sharing = workers.Count };
        float* filters = TransformFilters(workers, g, weight.Data(), flip: false);
        Run(workers, g, input.Data(), filters, bias.Data(), output.Data());
    }

    /// <summary>dX = dY correlated with the flipped filters, padded by 2 - p so that dX has the input's size.</summary>
    public static void BackwardData(Workers workers, Tensor gradOutput, Tensor weight, Tensor gradInput, int padding)
    {
        var conv = ConvGeometry.Of(gradInput, weight, padding);
        var g = new WinogradGeometry(conv.Batch, conv.Outputs, conv.OutHeight, conv.OutWidth, conv.Channels, 2 - padding) { Sharing = workers.Count };
        float* filters = TransformFilters(workers, g, weight.Data(), flip: true);
        Run(workers, g, gradOutput.Data(), filters, null, gradInput.Data());
    }

    /// <summary>
    /// dW += Gᵀ dU G, dU[ξ] = sum over tiles of Z[ξ] V[ξ]ᵀ. Blocks are summed in order, each block's GEMMs split over
    /// points, so every sum runs in the same order whatever the thread count.
    /// </summary>
    public static void BackwardFilter(Workers workers, Tensor input, Tensor gradOutput, Tensor gradWeight, int padding)
    {
        var g = WinogradGeometry.Of(ConvGeometry.Of(input, gradWeight, padding));
        float* gradients = Workspace.WinogradFilters(Points * g.GradientPointStride);
        float* inputs = Workspace.WinogradInputs(Points * g.InputPointStride), products = Workspace.WinogradProducts(Points * g.ProductPointStride);
        float* x = input.Data(), dy = gradOutput.Data();
        for (int block = 0; block < g.Blocks; block++)
        {
            var (first, count) = g.Block(block);
            var transformIn = new MapTransform<InputTileTransform>(g, first, count, x, inputs);
            workers.For(g.Inputs, ref transformIn);
            var transformGradient = new MapTransform<OutputGradientTileTransform>(g, first, count, dy, products);
            workers.For(g.Outputs, ref transformGradient);
            var multiply = new GradientProducts(g, count, products, inputs, gradients, accumulate: block > 0);
            workers.For(Points, ref multiply);
        }
        var transformBack = new FilterGradientTransform(g, gradients, gradWeight.Data());
        workers.For(g.Outputs, ref transformBack);
    }

    /// <summary>
    /// U[ξ] for every point, each packed whole as the GEMM's left operand (<see cref="Sgemm.PackedAOffset"/>): rows are
    /// the channels written, depth the channels read. <paramref name="flip"/> reads filter (depth, row) rotated by 180
    /// degrees instead of filter (row, depth), as backward data needs.
    /// </summary>
    private static float* TransformFilters(Workers workers, WinogradGeometry g, float* weight, bool flip)
    {
        long matrix = g.FilterPointStride;
        float* filters = Workspace.WinogradFilters(Points * matrix);
        var job = new FilterTransform(g, weight, filters, matrix, flip);
        workers.For((g.Outputs + PanelRows - 1) / PanelRows, ref job);
        return filters;
    }

    /// <summary>
    /// Runs the blocks: each on one thread when there are enough to share evenly (every thread then keeps its block in
    /// its own cache), else one after another with each step split between the threads.
    /// </summary>
    private static void Run(Workers workers, WinogradGeometry g, float* x, float* filters, float* bias, float* y)
    {
        int blocks = g.Blocks;
        if (workers.Count > 1 && blocks > 1 && (blocks % workers.Count == 0 || blocks >= 8 * workers.Count))
        {
            var job = new WholeBlocks(g, x, filters, bias, y);
            workers.For(blocks, ref job);
            return;
        }
        float* inputs = Workspace.WinogradInputs(Points * g.InputPointStride), products = Workspace.WinogradProducts(Points * g.ProductPointStride);
        for (int block = 0; block < blocks; block++) RunBlock(workers, g, block, x, filters, bias, y, inputs, products);
    }

    private static void RunBlock(Workers workers, WinogradGeometry g, int block, float* x, float* filters, float* bias, float* y,
        float* inputs, float* products)
    {
        var (first, count) = g.Block(block);
        var transformIn = new MapTransform<InputTileTransform>(g, first, count, x, inputs);
        workers.For(g.Inputs, ref transformIn);
        var multiply = new PointProducts(g, count, filters, inputs, products);
        workers.For(Points, ref multiply);
        var transformOut = new OutputTransform(g, first, count, products, bias, y);
        workers.For(g.Outputs, ref transformOut);
    }

    /// <summary>One whole block per piece, in the executing thread's own buffers.</summary>
    private readonly struct WholeBlocks(WinogradGeometry g, float* x, float* filters, float* bias, float* y) : IWorkPiece
    {
        public void Run(int block) =>
            RunBlock(Workers.Single, g, block, x, filters, bias, y,
                Workspace.WinogradInputs(Points * g.InputPointStride), Workspace.WinogradProducts(Points * g.ProductPointStride));
    }

    /// <summary>
    /// Piece p transforms the filters of packed panel p (rows 6p to 6p + 5) for every point. The panel's part of a
    /// depth block is contiguous, position t holding (row 6p + t % 6, depth t / 6), so sixteen consecutive positions
    /// make a vector: their filters' taps are gathered into a 9 x 16 block (with AVX2 gathers, 8 depths of a full
    /// panel at a time, else one by one), transformed together, and each point's 16 results stored with one write.
    /// </summary>
    private readonly struct FilterTransform(WinogradGeometry g, float* weight, float* filters, long matrix, bool flip) : IWorkPiece
    {
        /// <summary>
        /// Transformed filters of wide layers (512 x 512: 38 MB) do not fit in the cache: they are written past it, which
        /// saves reading each line before overwriting it.
        /// </summary>
        private readonly bool _streaming = Points * matrix > StreamedFilters;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int panel)
        {
            int rows = g.Outputs, depth = g.Inputs, firstRow = panel * PanelRows, realRows = Math.Min(PanelRows, rows - firstRow);
            float* taps = stackalloc float[9 * Lanes];
            float* half = stackalloc float[18 * Lanes];
            float* points = stackalloc float[Points * Lanes];
            // Where the taps of each lane's filter lie relative to the first filter of a 48-position run (8 depths of
            // the 6 rows): three vectors of 16 lanes, each gathered as two halves of 8.
            int* offsets = stackalloc int[3 * Lanes];
            for (int t = 0; t < 3 * Lanes; t++)
                offsets[t] = 9 * (flip ? t / PanelRows * rows + t % PanelRows : t % PanelRows * depth + t / PanelRows);
            bool gather = Avx2.IsSupported && realRows == PanelRows;
            for (int blockStart = 0; blockStart < depth; blockStart += Sgemm.PackedDepthBlock)
            {
                float* region = filters + Sgemm.PackedAOffset(rows, depth, firstRow, blockStart);
                int blockEnd = Math.Min(depth, blockStart + Sgemm.PackedDepthBlock), lane = 0, stored = 0, d = blockStart;
                for (; gather && d + 8 <= blockEnd; d += 8)
                {
                    float* first = flip ? weight + ((long)d * rows + firstRow) * 9 + 8 : weight + ((long)firstRow * depth + d) * 9;
                    for (int v = 0; v < 3; v++, stored += Lanes)
                    {
                        Vector256<int> low = Vector256.Load(offsets + v * Lanes), high = Vector256.Load(offsets + v * Lanes + 8);
                        for (int e = 0; e < 9; e++)
                        {
                            float* tap = first + (flip ? -e : e);
                            Vector512.Create(Avx2.GatherVector256(tap, low, 4), Avx2.GatherVector256(tap, high, 4)).Store(taps + e * Lanes);
                        }
                        Transform(taps, half, points, region + stored, Lanes);
                    }
                }
                for (; d < blockEnd; d++)
                for (int i = 0; i < PanelRows; i++)
                {
                    if (i < realRows) GatherTaps(d, firstRow + i, taps + lane);
                    else for (int e = 0; e < 9; e++) taps[e * Lanes + lane] = 0f;
                    if (++lane < Lanes) continue;
                    Transform(taps, half, points, region + stored, Lanes);
                    stored += Lanes;
                    lane = 0;
                }
                if (lane > 0) Transform(taps, half, points, region + stored, lane);
            }
            if (_streaming && Sse.IsSupported) Sse.StoreFence();
        }

        /// <summary>Copies the 9 taps of filter (row, d) to taps[e * Lanes], rotated by 180 degrees when flipping.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void GatherTaps(int d, int row, float* taps)
        {
            if (flip)
            {
                float* f = weight + ((long)d * g.Outputs + row) * 9;
                (taps[0], taps[Lanes], taps[2 * Lanes], taps[3 * Lanes], taps[4 * Lanes]) = (f[8], f[7], f[6], f[5], f[4]);
                (taps[5 * Lanes], taps[6 * Lanes], taps[7 * Lanes], taps[8 * Lanes]) = (f[3], f[2], f[1], f[0]);
            }
            else
            {
                float* f = weight + ((long)row * g.Inputs + d) * 9;
                (taps[0], taps[Lanes], taps[2 * Lanes], taps[3 * Lanes], taps[4 * Lanes]) = (f[0], f[1], f[2], f[3], f[4]);
                (taps[5 * Lanes], taps[6 * Lanes], taps[7 * Lanes], taps[8 * Lanes]) = (f[5], f[6], f[7], f[8]);
            }
        }

        /// <summary>U = G g Gᵀ for 16 filters; stores the first <paramref name="lanes"/> results of each point.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Transform(float* taps, float* half, float* points, float* destination, int lanes)
        {
            for (int j = 0; j < 3; j++) WinogradTransform.Filter(taps + j * Lanes, 3 * Lanes, half + j * Lanes, 3 * Lanes);
            if (lanes == Lanes && !_streaming)
            {
                for (int a = 0; a < 6; a++) WinogradTransform.Filter(half + 3 * a * Lanes, Lanes, destination + 6 * a * matrix, (nint)matrix);
                return;
            }
            if (lanes == Lanes && ((nint)destination & 63) == 0)
            {
                for (int a = 0; a < 6; a++) WinogradTransform.Filter(half + 3 * a * Lanes, Lanes, points + 6 * a * Lanes, Lanes);
                for (int point = 0; point < Points; point++) Vector512.Load(points + point * Lanes).StoreAlignedNonTemporal(destination + point * matrix);
                return;
            }
            for (int a = 0; a < 6; a++) WinogradTransform.Filter(half + 3 * a * Lanes, Lanes, points + 6 * a * Lanes, Lanes);
            for (int point = 0; point < Points; point++)
                new ReadOnlySpan<float>(points + point * Lanes, lanes).CopyTo(new Span<float>(destination + point * matrix, lanes));
        }
    }

    /// <summary>
    /// Piece c transforms channel c of a map's tiles in the block into [ξ][c][tile]: V = Bᵀ d B of the input or
    /// Z = A dY Aᵀ of the output gradient (see <see cref="ITileTransform"/>). Each run's rows are split into tile
    /// phases, 16 tiles at a time, and transformed along x into a stage [row][point][tile]; then the stage is transformed
    /// along y. Rows of fewer than <see cref="NarrowRows"/> tiles would leave most lanes idle, so their pixels are copied
    /// one by one into the stage instead, and transformed along x there, 16 tiles of any runs at once. Rows and columns
    /// outside the map are zero.
    /// </summary>
    private readonly struct MapTransform<TTransform>(WinogradGeometry g, int first, int count, float* map, float* transformed) : IWorkPiece
        where TTransform : struct, ITileTransform
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int c)
        {
            int side = TTransform.Side, height = TTransform.Height(g), width = TTransform.Width(g), padding = TTransform.Padding(g);
            // Stage rows of BlockStride + one group, since a run's last group may spill past the block.
            int stride = g.BlockStride + Lanes, lineLength = 4 * (g.TilesX + Lanes) + Lanes;
            float* stage = Workspace.WinogradStage(6 * side * stride + lineLength);
            float* line = stage + 6 * side * stride;
            int plane = height * width;
            bool narrow = g.TilesX < NarrowRows;
            foreach (var run in g.Runs(first, count))
            {
                float* image = map + ((long)run.Image * TTransform.Channels(g) + c) * plane;
                // A run's pixels end side - 4 past its last tile's start.
                int groups = (run.Count + Lanes - 1) / Lanes, left = 4 * run.Column - padding, runPixels = 4 * run.Count + side - 4;
                int lanes = groups * Lanes;
                if (!narrow) PrefetchRows(image, height, width, 4 * run.Row + side - padding, left, runPixels);
                for (int r = 0; r < side; r++)
                {
                    float* destination = stage + 6 * r * stride + run.Position;
                    int row = 4 * run.Row + r - padding;
                    bool inside = row >= 0 && row < height;
                    if (narrow)
                    {
                        // A row outside the map reads as zeros, as if it were a map of width 0.
                        SpreadNarrowRow(image + row * width, left, inside ? width : 0, run.Count, side, destination, stride);
                        continue;
                    }
                    if (!inside)
                    {
                        for (int kx = 0; kx < 6; kx++) new Span<float>(destination + kx * stride, lanes).Clear();
                        continue;
                    }
                    FillLine(line, groups * 4 * Lanes + Lanes, image + row * width, left, width);
                    for (int group = 0; group < groups; group++)
                        TTransform.TransformLine(line + group * 4 * Lanes, destination + group * Lanes, stride);
                }
            }
            if (narrow)
            {
                for (int lane = 0; lane < count; lane += Lanes)
                for (int r = 0; r < side; r++)
                    TTransform.Transform(stage + 6 * r * stride + lane, stride, stage + 6 * r * stride + lane, stride);
            }
            long pointStride = TTransform.PointStride(g);
            float* channel = transformed + (long)c * g.BlockStride;
            for (int lane = 0; lane < count; lane += Lanes)
            for (int kx = 0; kx < 6; kx++)
                TTransform.Transform(stage + kx * stride + lane, 6 * stride, channel + kx * pointStride + lane, (nint)(6 * pointStride));
        }
    }

    /// <summary>
    /// Asks for the four rows from <paramref name="firstRow"/>, columns [left, left + length), to be brought into the
    /// cache: the next tile row's new rows, which come from memory at VGG's sizes while the current run is transformed.
    /// </summary>
    private static void PrefetchRows(float* image, int height, int width, int firstRow, int left, int length)
    {
        if (!Sse.IsSupported) return;
        int start = Math.Max(0, left), end = Math.Min(width, left + length);
        for (int row = Math.Max(0, firstRow); row < Math.Min(height, firstRow + 4); row++)
        for (int column = start; column < end; column += 16)
            Sse.Prefetch0(image + (long)row * width + column);
    }

    /// <summary>
    /// destination[j * stride + u] = row[left + 4u + j] (zero outside [0, width)) for a run of <paramref name="tiles"/>
    /// tiles: a narrow row's pixels straight into the stage, without the span calls that cost more than a few pixels.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SpreadNarrowRow(float* row, int left, int width, int tiles, int side, float* destination, int stride)
    {
        for (int u = 0; u < tiles; u++)
        for (int j = 0; j < side; j++)
        {
            int column = left + 4 * u + j;
            destination[j * stride + u] = (uint)column < (uint)width ? row[column] : 0f;
        }
    }

    /// <summary>line[k] = row[left + k] for k in [0, length), zero outside [0, width).</summary>
    private static void FillLine(float* line, int length, float* row, int left, int width)
    {
        int lead = Math.Clamp(-left, 0, length);
        int copied = Math.Clamp(width - (left + lead), 0, length - lead);
        new Span<float>(line, lead).Clear();
        Buffer.MemoryCopy(row + left + lead, line + lead, copied * sizeof(float), copied * sizeof(float));
        new Span<float>(line + lead + copied, length - lead - copied).Clear();
    }

    /// <summary>Piece ξ: M[ξ] = U[ξ] * V[ξ] for the block's tiles.</summary>
    private readonly struct PointProducts(WinogradGeometry g, int count, float* filters, float* inputs, float* products) : IWorkPiece
    {
        public void Run(int point)
        {
            int stride = g.BlockStride;
            Sgemm.MultiplyPacked(g.Outputs, count, g.Inputs, filters + point * g.FilterPointStride, false,
                inputs + point * g.InputPointStride, stride, products + point * g.ProductPointStride, stride, false);
        }
    }

    /// <summary>
    /// Piece o transforms output channel o of the block back to pixels: Aᵀ along y, then along x with the bias added,
    /// into a stage of tile phases, which each run merges into its output rows.
    /// </summary>
    private readonly struct OutputTransform(WinogradGeometry g, int first, int count, float* products, float* bias, float* y) : IWorkPiece
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int o)
        {
            int stride = g.BlockStride + Lanes, lineLength = 4 * (g.TilesX + Lanes);
            float* stage = Workspace.WinogradStage(16 * stride + 24 * Lanes + lineLength);
            float* columns = stage + 16 * stride, line = columns + 24 * Lanes;
            var offset = Vector512.Create(bias == null ? 0f : bias[o]);
            long pointStride = g.ProductPointStride;
            float* channel = products + (long)o * g.BlockStride;
            for (int lane = 0; lane < count; lane += Lanes)
            {
                for (int kx = 0; kx < 6; kx++)
                    WinogradTransform.Output(channel + kx * pointStride + lane, (nint)(6 * pointStride), Vector512<float>.Zero, columns + kx * Lanes, 6 * Lanes);
                for (int i = 0; i < 4; i++)
                    WinogradTransform.Output(columns + 6 * i * Lanes, Lanes, offset, stage + 4 * i * stride + lane, stride);
            }
            int plane = g.OutHeight * g.OutWidth;
            bool narrow = g.TilesX < NarrowRows;
            foreach (var run in g.Runs(first, count))
            {
                float* image = y + ((long)run.Image * g.Outputs + o) * plane;
                int groups = (run.Count + Lanes - 1) / Lanes, left = 4 * run.Column;
                int width = Math.Min(4 * run.Count, g.OutWidth - left);
                for (int i = 0; i < 4 && 4 * run.Row + i < g.OutHeight; i++)
                {
                    float* source = stage + 4 * i * stride + run.Position, target = image + (4 * run.Row + i) * g.OutWidth + left;
                    if (narrow)
                    {
                        for (int pixel = 0; pixel < width; pixel++) target[pixel] = source[pixel % 4 * stride + pixel / 4];
                        continue;
                    }
                    for (int group = 0; group < groups; group++)
                        TilePhases.Merge(source + group * Lanes, stride, line + group * 4 * Lanes);
                    Buffer.MemoryCopy(line, target, width * sizeof(float), width * sizeof(float));
                }
            }
        }
    }

    /// <summary>Piece ξ: dU[ξ] (+)= Z[ξ] V[ξ]ᵀ over the block's tiles.</summary>
    private readonly struct GradientProducts(WinogradGeometry g, int count, float* products, float* inputs, float* gradients, bool accumulate) : IWorkPiece
    {
        public void Run(int point)
        {
            int stride = g.BlockStride;
            Sgemm.Multiply(Workers.Single, false, true, g.Outputs, g.Inputs, count, products + point * g.ProductPointStride, stride,
                inputs + point * g.InputPointStride, stride, gradients + point * g.GradientPointStride, g.Inputs, accumulate);
        }
    }

    /// <summary>Piece o: dW[o][c] += Gᵀ dU[o][c] G for every input channel c, 16 at a time.</summary>
    private readonly struct FilterGradientTransform(WinogradGeometry g, float* gradients, float* gradWeight) : IWorkPiece
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int o)
        {
            float* half = stackalloc float[18 * Lanes];
            float* taps = stackalloc float[9 * Lanes];
            long matrix = g.GradientPointStride;
            for (int c0 = 0; c0 < g.Inputs; c0 += Lanes)
            {
                float* source = gradients + (long)o * g.Inputs + c0;
                // Gᵀ along each row a of points (over b), then along the columns (over a).
                for (int a = 0; a < 6; a++) WinogradTransform.FilterGradient(source + 6 * a * matrix, (nint)matrix, half + 3 * a * Lanes, Lanes);
                for (int j = 0; j < 3; j++) WinogradTransform.FilterGradient(half + j * Lanes, 3 * Lanes, taps + j * Lanes, 3 * Lanes);
                int lanes = Math.Min(Lanes, g.Inputs - c0);
                float* filter = gradWeight + ((long)o * g.Inputs + c0) * 9;
                for (int lane = 0; lane < lanes; lane++)
                for (int e = 0; e < 9; e++)
                    filter[lane * 9 + e] += taps[e * Lanes + lane];
            }
        }
    }
}
