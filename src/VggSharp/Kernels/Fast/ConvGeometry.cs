using VggSharp.Tensors;

namespace VggSharp.Kernels.Fast;

/// <summary>The sizes of a stride-1 square convolution, and how its output is cut into bands of rows for im2col.</summary>
internal readonly record struct ConvGeometry(int Batch, int Channels, int Height, int Width, int Outputs, int Kernel, int Padding)
{
    /// <summary>Floats of column matrix per band (4 MB): large enough for long GEMMs, small enough to stay in cache.</summary>
    private const int ColumnBudget = 1 << 20;

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

    /// <summary>Output columns [start, end) whose input column x + j - padding lies inside the image.</summary>
    public (int Start, int End) ValidColumns(int j)
    {
        int start = Math.Clamp(Padding - j, 0, OutWidth);
        int end = Math.Clamp(Width + Padding - j, start, OutWidth);
        return (start, end);
    }
}
