using System.Runtime.InteropServices;

namespace VggSharp.Interop.Numpy;

/// <summary>Writes NumPy .npy files (version 1.0, C-ordered little-endian float32) that np.load reads, atomically.</summary>
public static class NpyWriter
{
    /// <summary>Writes <paramref name="data"/> as an array of <paramref name="shape"/>, whose element count it must match.</summary>
    public static void Write(string path, IReadOnlyList<long> shape, ReadOnlyMemory<float> data)
    {
        if (shape.Any(d => d < 0)) throw new ArgumentException("A dimension is negative.", nameof(shape));
        long elements = shape.Aggregate(1L, (count, d) => checked(count * d));
        if (elements != data.Length) throw new ArgumentException($"Shape ({string.Join(", ", shape)}) has {elements} elements but the data has {data.Length}.", nameof(data));
        byte[] header = NpyHeader.Format(shape);
        AtomicFile.Write(path, stream =>
        {
            stream.Write(header);
            stream.Write(MemoryMarshal.AsBytes(data.Span));
        });
    }
}
