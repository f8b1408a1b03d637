using System.Runtime.InteropServices;

namespace VggSharp.Interop.Numpy;

/// <summary>Writes NumPy .npy files (version 1.0, C-ordered little-endian float32 or int64) that np.load reads, atomically.</summary>
public static class NpyWriter
{
    /// <summary>Writes <paramref name="data"/> as an array of <paramref name="shape"/>, whose element count it must match.</summary>
    public static void Write(string path, IReadOnlyList<long> shape, ReadOnlyMemory<float> data) =>
        Write(path, shape, data.Length, NpyHeader.Format(shape), stream => stream.Write(MemoryMarshal.AsBytes(data.Span)));

    /// <summary>Writes <paramref name="data"/> as an int64 array (labels, counts) of <paramref name="shape"/>.</summary>
    public static void Write(string path, IReadOnlyList<long> shape, ReadOnlyMemory<long> data) =>
        Write(path, shape, data.Length, NpyHeader.Format(shape, NpyHeader.Int64), stream => stream.Write(MemoryMarshal.AsBytes(data.Span)));

    private static void Write(string path, IReadOnlyList<long> shape, int length, byte[] header, Action<Stream> writeData)
    {
        if (shape.Any(d => d < 0)) throw new ArgumentException("A dimension is negative.", nameof(shape));
        long elements = shape.Aggregate(1L, (count, d) => checked(count * d));
        if (elements != length) throw new ArgumentException($"Shape ({string.Join(", ", shape)}) has {elements} elements but the data has {length}.", "data");
        AtomicFile.Write(path, stream =>
        {
            stream.Write(header);
            writeData(stream);
        });
    }
}
