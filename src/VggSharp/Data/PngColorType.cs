namespace VggSharp.Data;

/// <summary>PNG's colour types (IHDR byte 9), with the values the specification gives them.</summary>
internal enum PngColorType : byte
{
    /// <summary>One gray sample per pixel.</summary>
    Grayscale = 0,

    /// <summary>Red, green and blue samples.</summary>
    Rgb = 2,

    /// <summary>One index into the PLTE chunk.</summary>
    Palette = 3,

    /// <summary>Gray and alpha samples.</summary>
    GrayscaleAlpha = 4,

    /// <summary>Red, green, blue and alpha samples.</summary>
    Rgba = 6,
}
