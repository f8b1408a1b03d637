using System.Runtime.CompilerServices;

namespace VggSharp.Kernels.Fast;

/// <summary>
/// Lowers a tile of output rows of one or more images to the column matrix that turns convolution into a GEMM, and
/// raises column gradients back onto the images. The column matrix has a row per (channel, i, j) and a column per
/// output pixel of the tile, image after image:
/// col[(c * K + i) * K + j, n * rows * OW + (y - y0) * OW + x] = image n[c, y + i - p, x + j - p] (0 outside).
/// </summary>
internal static unsafe class Im2Col
{
    /// <summary>Below this many floats a plain loop beats the call overhead of a span copy, clear or add.</summary>
    private const int ShortRun = 8;

    /// <summary>
    /// Fills <paramref name="columns"/> for <paramref name="tile"/>; <paramref name="images"/> points at the tile's
    /// first image. Channels are split over the workers; each writes its column rows front to back.
    /// </summary>
    public static void Lower(Workers workers, float* images, ConvGeometry g, ConvTile tile, float* columns)
    {
        var job = new Lowering(images, g, tile, columns);
        workers.For(g.Channels, ref job);
    }

    private readonly struct Lowering(float* images, ConvGeometry g, ConvTile tile, float* columns) : IWorkPiece
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int c)
        {
            for (int i = 0; i < g.Kernel; i++)
            for (int j = 0; j < g.Kernel; j++)
            {
                float* destination = columns + (long)((c * g.Kernel + i) * g.Kernel + j) * tile.Columns;
                var (start, end) = g.ValidColumns(j);
                for (int n = 0; n < tile.Images; n++)
                {
                    float* plane = images + ((long)n * g.Channels + c) * g.InPlane;
                    for (int r = 0; r < tile.Rows; r++, destination += g.OutWidth)
                    {
                        int iy = tile.FirstRow + r + i - g.Padding;
                        if (iy < 0 || iy >= g.Height)
                        {
                            Clear(destination, g.OutWidth);
                            continue;
                        }
                        Clear(destination, start);
                        Copy(plane + iy * g.Width + start + j - g.Padding, destination + start, end - start);
                        Clear(destination + end, g.OutWidth - end);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Adds the column gradients of <paramref name="tile"/> onto <paramref name="images"/> (the tile's first image).
    /// Each channel is raised by one worker in a fixed (i, j, image, row) order, so the sums do not depend on the
    /// thread count.
    /// </summary>
    public static void Raise(Workers workers, float* columns, ConvGeometry g, ConvTile tile, float* images)
    {
        var job = new Raising(columns, g, tile, images);
        workers.For(g.Channels, ref job);
    }

    private readonly struct Raising(float* columns, ConvGeometry g, ConvTile tile, float* images) : IWorkPiece
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int c)
        {
            for (int i = 0; i < g.Kernel; i++)
            for (int j = 0; j < g.Kernel; j++)
            {
                float* source = columns + (long)((c * g.Kernel + i) * g.Kernel + j) * tile.Columns;
                var (start, end) = g.ValidColumns(j);
                for (int n = 0; n < tile.Images; n++)
                {
                    float* plane = images + ((long)n * g.Channels + c) * g.InPlane;
                    for (int r = 0; r < tile.Rows; r++, source += g.OutWidth)
                    {
                        int iy = tile.FirstRow + r + i - g.Padding;
                        if (iy >= 0 && iy < g.Height) Add(source + start, plane + iy * g.Width + start + j - g.Padding, end - start);
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Clear(float* destination, int length)
    {
        if (length >= ShortRun) new Span<float>(destination, length).Clear();
        else for (int x = 0; x < length; x++) destination[x] = 0f;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy(float* source, float* destination, int length)
    {
        if (length >= ShortRun) Buffer.MemoryCopy(source, destination, length * sizeof(float), length * sizeof(float));
        else for (int x = 0; x < length; x++) destination[x] = source[x];
    }

    /// <summary>target += source, element by element, so a short run rounds exactly as a long one does.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(float* source, float* target, int length)
    {
        if (length >= ShortRun)
        {
            var span = new Span<float>(target, length);
            ElementWise.Apply(new AddOperator(), span, new ReadOnlySpan<float>(source, length), span);
        }
        else for (int x = 0; x < length; x++) target[x] += source[x];
    }
}
