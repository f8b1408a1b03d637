namespace VggSharp.Data.Transforms;

/// <summary>The interpolation kernel of <see cref="Resampler"/>, with PIL's semantics for the same names.</summary>
public enum ResampleFilter
{
    /// <summary>The triangle filter (support 1): linear interpolation when enlarging, an area-weighted average when shrinking.</summary>
    Bilinear,

    /// <summary>The cubic convolution filter with a = -0.5 (support 2): sharper than bilinear, may overshoot (clamped to 0-255).</summary>
    Bicubic,
}
