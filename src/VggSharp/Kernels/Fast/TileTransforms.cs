using System.Runtime.CompilerServices;

namespace VggSharp.Kernels.Fast;

/// <summary>The convolution's input, read as 6x6 patches with the convolution's padding: V = Bᵀ d B.</summary>
internal readonly unsafe struct InputTileTransform : ITileTransform
{
    public static int Side => WinogradTransform.Alpha;

    public static int Channels(WinogradGeometry g) => g.Inputs;

    public static int Height(WinogradGeometry g) => g.Height;

    public static int Width(WinogradGeometry g) => g.Width;

    public static int Padding(WinogradGeometry g) => g.Padding;

    public static long PointStride(WinogradGeometry g) => g.InputPointStride;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Transform(float* source, nint sourceStride, float* destination, nint destinationStride) =>
        WinogradTransform.Input(source, sourceStride, destination, destinationStride);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void TransformLine(float* line, float* destination, nint destinationStride)
    {
        TilePhases.Split(line, out var p0, out var p1, out var p2, out var p3, out var p4, out var p5);
        WinogradTransform.Input(p0, p1, p2, p3, p4, p5, destination, destinationStride);
    }
}

/// <summary>The convolution's output gradient, read as 4x4 tiles that do not overlap: Z = A dY Aᵀ.</summary>
internal readonly unsafe struct OutputGradientTileTransform : ITileTransform
{
    public static int Side => WinogradTransform.Tile;

    public static int Channels(WinogradGeometry g) => g.Outputs;

    public static int Height(WinogradGeometry g) => g.OutHeight;

    public static int Width(WinogradGeometry g) => g.OutWidth;

    public static int Padding(WinogradGeometry g) => 0;

    public static long PointStride(WinogradGeometry g) => g.ProductPointStride;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Transform(float* source, nint sourceStride, float* destination, nint destinationStride) =>
        WinogradTransform.OutputGradient(source, sourceStride, destination, destinationStride);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void TransformLine(float* line, float* destination, nint destinationStride)
    {
        TilePhases.Split(line, out var p0, out var p1, out var p2, out var p3, out _, out _);
        WinogradTransform.OutputGradient(p0, p1, p2, p3, destination, destinationStride);
    }
}
