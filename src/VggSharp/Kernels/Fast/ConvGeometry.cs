using VggSharp.Tensors;

namespace VggSharp.Kernels.Fast;

/// <summary>
/// The sizes of a stride-1 square convolution, and how its output is cut into tiles for im2col: bands of rows of one
/// image when the output plane is large, chunks of whole images side by side when it is small.
/// </summary>
internal readonly record struct ConvGeometry(int Batch, int Channels, int Height, int Width, int Outputs, int Kernel, int Padding)
{
    /// <summary>Floats of column matrix per tile (4 MB): large enough for long GEMMs, small enough to stay in cache.</summary>
    private const int ColumnBudget = 1 << 20;

    /// <summary>
    /// Output planes smaller than this are lowered several images at a time: one image's GEMM would be narrower than
    /// a few micro-kernel tiles and too short to pay for packing the weights.
    /// </summary>
    private const int ChunkedPlane = 256;

    public static ConvGeometry Of(Tensor input, Tensor weight, int padding) =>
        new(input.Shape.N, input.Shape.C, input.Shape.H, input.Shape.W, weight.Shape[0], weight.Shape[2], padding);

    public int OutHeight => Height + 2 * Padding - Kernel + 1;

    public int OutWidth => Width + 2 * Padding - Kernel + 1;

    public int InPlane => Height * Width;

    public int OutPlane => OutHeight * OutWidth;

    /// <summary>Rows of the column matrix: C * K * K.</summary>
    public int Patch => Channels * Kernel * Kernel;

    /// <summary>A 1x1 unpadded convolution needs no lowering: the image is its own column matrix.</summary>
    public bool IsPointwise => Kernel == 1 && Padding == 0;

    /// <summary>
    /// Output rows per band. It depends on the shape alone, never on the thread count, because the backward passes
    /// sum over bands and the band boundaries fix the order of those sums.
    /// </summary>
    public int BandRows => IsPointwise ? OutHeight : Math.Clamp(ColumnBudget / (Patch * OutWidth), 1, OutHeight);

    /// <summary>
    /// Images per chunk: 1 for large planes, else as many as keep the column matrix and the output matrix within the
    /// budget, evened out over the chunks. Like <see cref="BandRows"/> it depends on the shape alone, because backward
    /// filter sums over chunks. Two images fit only if one image fits whole, so chunks of several images have one band.
    /// </summary>
    public int ImagesPerChunk
    {
        get
        {
            if (OutPlane >= ChunkedPlane) return 1;
            int fit = Math.Clamp(ColumnBudget / (Math.Max(Patch, Outputs) * OutPlane), 1, Batch);
            int chunks = (Batch + fit - 1) / fit;
            return (Batch + chunks - 1) / chunks;
        }
    }

    public int Chunks => (Batch + ImagesPerChunk - 1) / ImagesPerChunk;

    /// <summary>Bands per image, and so per chunk: a chunk of several images holds them whole, in one band.</summary>
    public int Bands => (OutHeight + BandRows - 1) / BandRows;

    /// <summary>Band <paramref name="band"/> of chunk <paramref name="chunk"/>.</summary>
    public ConvTile Tile(int chunk, int band)
    {
        int images = ImagesPerChunk, rows = BandRows;
        int firstImage = chunk * images, firstRow = band * rows;
        return new ConvTile(firstImage, Math.Min(images, Batch - firstImage), firstRow, Math.Min(rows, OutHeight - firstRow), OutWidth);
    }

    /// <summary>A pointwise convolution of one image reads the image as its column matrix instead of lowering it.</summary>
    public bool ImageIsColumns(ConvTile tile) => IsPointwise && tile.Images == 1;

    /// <summary>Output columns [start, end) whose input column x + j - padding lies inside the image.</summary>
    public (int Start, int End) ValidColumns(int j)
    {
        int start = Math.Clamp(Padding - j, 0, OutWidth);
        int end = Math.Clamp(Width + Padding - j, start, OutWidth);
        return (start, end);
    }
}
