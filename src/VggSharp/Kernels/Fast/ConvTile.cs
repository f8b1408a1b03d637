namespace VggSharp.Kernels.Fast;

/// <summary>
/// The part of a convolution that one GEMM covers: output rows [FirstRow, FirstRow + Rows) of images
/// [FirstImage, FirstImage + Images), laid side by side as GEMM columns, image after image.
/// </summary>
internal readonly record struct ConvTile(int FirstImage, int Images, int FirstRow, int Rows, int OutWidth)
{
    /// <summary>GEMM columns per image: the output pixels of its rows.</summary>
    public int ImageColumns => Rows * OutWidth;

    /// <summary>GEMM columns of the whole tile.</summary>
    public int Columns => Images * ImageColumns;
}
