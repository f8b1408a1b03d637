namespace VggSharp.Kernels.Fast;

/// <summary>
/// A map that <see cref="WinogradConvolution"/> transforms tile by tile into 36 points per tile, and the
/// one-dimensional transform it takes along each axis: the convolution's input (6x6 patches, Bᵀ d B) or its output
/// gradient (4x4 tiles, A dY Aᵀ). Members are static, in the style of TensorPrimitives' operators, so that the
/// staging, constrained to structs, is specialised for each map with its transforms inlined.
/// </summary>
internal unsafe interface ITileTransform
{
    /// <summary>Pixels per tile side; tiles start every <see cref="WinogradTransform.Tile"/> pixels, so a side of 6 overlaps the next tile by 2.</summary>
    static abstract int Side { get; }

    /// <summary>Channels of the map.</summary>
    static abstract int Channels(WinogradGeometry g);

    static abstract int Height(WinogradGeometry g);

    static abstract int Width(WinogradGeometry g);

    /// <summary>Rows and columns of zeros before the map's first pixel, where the first tile starts.</summary>
    static abstract int Padding(WinogradGeometry g);

    /// <summary>Floats from one point's [channel][tile] matrix of a block to the next's.</summary>
    static abstract long PointStride(WinogradGeometry g);

    /// <summary>The transform of <see cref="Side"/> vectors at <c>source + i * sourceStride</c> into six points at <c>destination + k * destinationStride</c>.</summary>
    static abstract void Transform(float* source, nint sourceStride, float* destination, nint destinationStride);

    /// <summary>
    /// The transform of 16 consecutive tiles of a line of pixels, tile u's pixels starting at <c>line[4u]</c>, one
    /// tile per lane (reads <c>line[0, 80)</c>); six points at <c>destination + k * destinationStride</c>.
    /// </summary>
    static abstract void TransformLine(float* line, float* destination, nint destinationStride);
}
