namespace VggSharp.Data.Transforms;

/// <summary>A rectangle of pixels: its top-left corner (<paramref name="X"/>, <paramref name="Y"/>) and its size.</summary>
/// <param name="X">Left column, from 0.</param>
/// <param name="Y">Top row, from 0.</param>
/// <param name="Width">Columns, at least 1.</param>
/// <param name="Height">Rows, at least 1.</param>
public readonly record struct PixelRegion(int X, int Y, int Width, int Height)
{
    /// <summary>Throws unless the region is non-empty and lies inside a <paramref name="width"/> x <paramref name="height"/> image.</summary>
    public void CheckInside(int width, int height)
    {
        if (Width <= 0 || Height <= 0 || X < 0 || Y < 0 || (long)X + Width > width || (long)Y + Height > height)
            throw new ArgumentOutOfRangeException(nameof(PixelRegion),
                $"Region {Width}x{Height} at ({X}, {Y}) does not fit inside a {width}x{height} image.");
    }
}
