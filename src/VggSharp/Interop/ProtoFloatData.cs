using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Microsoft.Win32.SafeHandles;

namespace VggSharp.Interop;

/// <summary>
/// Where the values of a message's float data lie in the file (Caffe's BlobProto.data, ONNX's TensorProto.float_data
/// and raw_data), gathered field by field as <see cref="ProtoFloatRun"/>s and read only when a model to hold them
/// exists. Consecutive unpacked values extend one run; more than <see cref="MaxRuns"/> runs is refused, so a file of
/// scattered values cannot make the reader hold more than a small multiple of its size.
/// </summary>
internal sealed class ProtoFloatData
{
    /// <summary>The most runs one message's data may be split into.</summary>
    public const int MaxRuns = 1 << 16;

    private const int ChunkBytes = 1 << 16;
    private readonly List<ProtoFloatRun> _runs;

    /// <summary>Data with the given runs so far (none when the message's fields are still to be read).</summary>
    public ProtoFloatData(params ProtoFloatRun[] runs)
    {
        _runs = [.. runs];
        Count = runs.Sum(r => (long)r.Count);
    }

    /// <summary>The number of values so far.</summary>
    public long Count { get; private set; }

    /// <summary>The runs, in order.</summary>
    public IReadOnlyList<ProtoFloatRun> Runs => _runs;

    /// <summary>Adds the reader's current field: a repeated float, packed (length-delimited) or one fixed32 value whose tag takes one byte.</summary>
    public void AddField(ProtoFieldReader reader)
    {
        if (reader.WireType == WireFormat.WireType.LengthDelimited)
        {
            AddBytes(reader);
            return;
        }
        reader.Expect(WireFormat.WireType.Fixed32);
        if (reader.Field > 15) throw new InvalidDataException($"field {reader.Field} holds unpacked floats behind tags longer than one byte");
        long at = reader.Offset;
        reader.Skip();
        if (_runs.Count > 0 && _runs[^1] is { Stride: ProtoFloatRun.Unpacked } last && last.Offset + (long)last.Count * last.Stride == at)
            _runs[^1] = last with { Count = last.Count + 1 };
        else Add(new ProtoFloatRun(at, 1, ProtoFloatRun.Unpacked));
        Count++;
    }

    /// <summary>Adds the reader's current field, a bytes field of little-endian floats.</summary>
    public void AddBytes(ProtoFieldReader reader)
    {
        var (offset, length) = reader.Location();
        if (length % sizeof(float) != 0) throw new InvalidDataException($"field {reader.Field} has {length} bytes of float data, not a whole number of floats");
        if (length == 0) return;
        Add(new ProtoFloatRun(offset, checked((int)(length / sizeof(float))), ProtoFloatRun.Packed));
        Count += length / sizeof(float);
    }

    private void Add(ProtoFloatRun run)
    {
        if (_runs.Count == MaxRuns) throw new InvalidDataException($"the data is split into more than {MaxRuns} pieces");
        _runs.Add(run);
    }

    /// <summary>Reads the values into <paramref name="destination"/>, which holds exactly <see cref="Count"/> of them.</summary>
    public void ReadInto(SafeFileHandle file, Span<float> destination, string path, string what)
    {
        if (destination.Length != Count) throw new ArgumentException($"The data has {Count} values; the destination holds {destination.Length}.", nameof(destination));
        byte[]? chunk = null;
        try
        {
            foreach (var run in _runs)
            {
                var target = destination[..run.Count];
                destination = destination[run.Count..];
                if (run.Stride == ProtoFloatRun.Packed)
                {
                    SafetensorsReader.ReadExactly(file, MemoryMarshal.AsBytes(target), run.Offset, path, what);
                    continue;
                }
                chunk ??= ArrayPool<byte>.Shared.Rent(ChunkBytes);
                int perChunk = ChunkBytes / run.Stride;
                for (int done = 0; done < run.Count; done += perChunk)
                {
                    int values = Math.Min(perChunk, run.Count - done);
                    // The last value of a run has no tag after it.
                    var bytes = chunk.AsSpan(0, values * run.Stride - (run.Stride - sizeof(float)));
                    SafetensorsReader.ReadExactly(file, bytes, run.Offset + (long)done * run.Stride, path, what);
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
