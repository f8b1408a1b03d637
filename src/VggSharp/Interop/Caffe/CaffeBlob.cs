using Microsoft.Win32.SafeHandles;

namespace VggSharp.Interop.Caffe;

/// <summary>
/// A BlobProto located in the file: its shape (BlobShape's dims, or the legacy num, channels, height and width) and
/// where its float values lie, checked to be exactly as many as the shape holds. The values are read only when a
/// model to hold them exists.
/// </summary>
internal sealed class CaffeBlob(IReadOnlyList<long> shape, ProtoFloatData data)
{
    /// <summary>The dimensions as stored.</summary>
    public IReadOnlyList<long> Shape { get; } = shape;

    /// <summary>The number of values, the product of <see cref="Shape"/>.</summary>
    public long Count => data.Count;

    /// <summary>The shape as "[64, 3, 3, 3]".</summary>
    public string ShapeText => $"[{string.Join(", ", Shape)}]";

    /// <summary>The shape without leading ones (the legacy layout pads vectors to 1x1x1xN and matrices to 1x1xMxN).</summary>
    public long[] SqueezedShape => Shape.SkipWhile(d => d == 1).ToArray() is { Length: > 0 } s ? s : [1];

    /// <summary>Reads the values into <paramref name="destination"/>, which holds exactly <see cref="Count"/> of them.</summary>
    public void ReadInto(SafeFileHandle file, Span<float> destination, string path) => data.ReadInto(file, destination, path, "blob data");
}
