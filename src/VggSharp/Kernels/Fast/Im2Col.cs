namespace VggSharp.Kernels.Fast;

/// <summary>
/// Lowers a band of output rows of one image to the column matrix that turns convolution into a GEMM, and raises
/// column gradients back onto the image. The column matrix has a row per (channel, i, j) and a column per output
/// pixel of the band: col[(c * K + i) * K + j, (y - y0) * OW + x] = image[c, y + i - p, x + j - p] (0 outside).
/// </summary>
internal static unsafe class Im2Col
{
    /// <summary>Fills <paramref name="columns"/> for output rows [y0, y0 + rows). Channels are split over the workers.</summary>
    public static void Lower(Workers workers, float* image, ConvGeometry g, int y0, int rows, float* columns)
    {
        var job = new Lowering(image, g, y0, rows, columns);
        workers.For(g.Channels, ref job);
    }

    private readonly struct Lowering(float* image, ConvGeometry g, int y0, int rows, float* columns) : IWorkPiece
    {
        public void Run(int c)
        {
            int band = rows * g.OutWidth;
            for (int i = 0; i < g.Kernel; i++)
            for (int j = 0; j < g.Kernel; j++)
            {
                float* row = columns + (long)((c * g.Kernel + i) * g.Kernel + j) * band;
                var (start, end) = g.ValidColumns(j);
                for (int r = 0; r < rows; r++)
                {
                    var destination = new Span<float>(row + r * g.OutWidth, g.OutWidth);
                    int iy = y0 + r + i - g.Padding;
                    if (iy < 0 || iy >= g.Height)
                    {
                        destination.Clear();
                        continue;
                    }
                    destination[..start].Clear();
                    new ReadOnlySpan<float>(image + ((long)c * g.Height + iy) * g.Width + start + j - g.Padding, end - start)
                        .CopyTo(destination[start..end]);
                    destination[end..].Clear();
                }
            }
        }
    }

    /// <summary>
    /// Adds the column gradients of output rows [y0, y0 + rows) onto <paramref name="image"/>. Each channel is raised by
    /// one worker in a fixed (i, j, row) order, so the sums do not depend on the thread count.
    /// </summary>
    public static void Raise(Workers workers, float* columns, ConvGeometry g, int y0, int rows, float* image)
    {
        var job = new Raising(columns, g, y0, rows, image);
        workers.For(g.Channels, ref job);
    }

    private readonly struct Raising(float* columns, ConvGeometry g, int y0, int rows, float* image) : IWorkPiece
    {
        public void Run(int c)
        {
            int band = rows * g.OutWidth;
            for (int i = 0; i < g.Kernel; i++)
            for (int j = 0; j < g.Kernel; j++)
            {
                float* row = columns + (long)((c * g.Kernel + i) * g.Kernel + j) * band;
                var (start, end) = g.ValidColumns(j);
                for (int r = 0; r < rows; r++)
                {
                    int iy = y0 + r + i - g.Padding;
                    if (iy < 0 || iy >= g.Height || end == start) continue;
                    var target = new Span<float>(image + ((long)c * g.Height + iy) * g.Width + start + j - g.Padding, end - start);
                    ElementWise.Apply(new AddOperator(), target, new ReadOnlySpan<float>(row + r * g.OutWidth + start, end - start), target);
                }
            }
        }
    }
}
