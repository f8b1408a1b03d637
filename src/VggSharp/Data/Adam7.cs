namespace VggSharp.Data;

/// <summary>
/// The passes of PNG's Adam7 interlacing: pass p covers pixels (X0 + i * DX, Y0 + j * DY). A non-interlaced image is
/// the single pass (0, 0, 1, 1).
/// </summary>
internal readonly record struct Adam7(int X0, int Y0, int DX, int DY)
{
    /// <summary>The seven passes, in file order.</summary>
    public static readonly Adam7[] Passes =
        [new(0, 0, 8, 8), new(4, 0, 8, 8), new(0, 4, 4, 8), new(2, 0, 4, 4), new(0, 2, 2, 4), new(1, 0, 2, 2), new(0, 1, 1, 2)];

    /// <summary>The whole image in one pass.</summary>
    public static readonly Adam7[] WholeImage = [new(0, 0, 1, 1)];

    /// <summary>Pixels per row of this pass in an image <paramref name="width"/> wide (0 when the pass is empty).</summary>
    public int Columns(int width) => width > X0 ? (width - X0 + DX - 1) / DX : 0;

    /// <summary>Rows of this pass in an image <paramref name="height"/> high (0 when the pass is empty).</summary>
    public int Rows(int height) => height > Y0 ? (height - Y0 + DY - 1) / DY : 0;
}
