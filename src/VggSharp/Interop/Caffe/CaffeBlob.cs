using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace VggSharp.Interop.Caffe;

/// <summary>
/// A BlobProto located in the file: its shape (BlobShape's dims, or the legacy num, channels, height and width) and
/// where its float values lie, checked to be exactly as many as the shape holds. The values are read only when a
/// model to hold them exists.
/// </summary>
internal sealed class CaffeBlob(IReadOnlyList<long> shape, IReadOnlyList<CaffeDataRun> runs)
{
    private const int ChunkBytes = 1 << 16;

    /// <summary>The dimensions as stored.</summary>
    public IReadOnlyList<long> Shape { get; } = shape;

    /// <summary>The number of values, the product of <see cref="Shape"/>.</summary>
    public long Count { get; } = runs.Sum(r => (long)r.Count);

    /// <summary>The shape as "[64, 3, 3, 3]".</summary>
    public string ShapeText => $"[{string.Join(", ", Shape)}]";

    /// <summary>The shape without leading ones (the legacy layout pads vectors to 1x1x1xN and matrices to 1x1xMxN).</summary>
    public long[] SqueezedShape => Shape.SkipWhile(d => d == 1).ToArray() is { Length: > 0 } s ? s : [1];

    /// <summary>Reads the values into <paramref name="destination"/>, which holds exactly <see cref="Count"/> of them.</summary>
    public void ReadInto(SafeFileHandle file, Span<float> destination, string path)
    {
        if (destination.Length != Count) throw new ArgumentException($"The blob has {Count} values; the destination holds {destination.Length}.", nameof(destination));
        byte[]? chunk = null;
        try
        {
            foreach (var run in runs)
            {
                var target = destination[..run.Count];
                destination = destination[run.Count..];
                if (run.Stride == CaffeDataRun.Packed)
                {
                    SafetensorsReader.ReadExactly(file, MemoryMarshal.AsBytes(target), run.Offset, path, "blob data");
                    continue;
                }
                chunk ??= ArrayPool<byte>.Shared.Rent(ChunkBytes);
                int perChunk = ChunkBytes / run.Stride;
                for (int done = 0; done < run.Count; done += perChunk)
                {
                    int values = Math.Min(perChunk, run.Count - done);
                    // The last value of a run has no tag after it.
                    var bytes = chunk.AsSpan(0, values * run.Stride - (run.Stride - sizeof(float)));
                    SafetensorsReader.ReadExactly(file, bytes, run.Offset + (long)done * run.Stride, path, "blob data");
                    for (int i = 0; i < values; i++) target[done + i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * run.Stride)..]);
                }
            }
        }
        finally
        {
            if (chunk is not null) ArrayPool<byte>.Shared.Return(chunk);
        }
    }
}
