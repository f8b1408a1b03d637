using Google.Protobuf;
using Microsoft.Win32.SafeHandles;

namespace VggSharp.Interop;

/// <summary>
/// Reads one protobuf message of a file field by field, at the wire level, with Google.Protobuf's
/// <see cref="CodedInputStream"/>. A length-delimited field's length is checked against the end of the enclosing
/// message before anything else; an embedded message gets a reader of its own over its bytes in the file; a large
/// field is not read through to be skipped, this reader resumes after it instead. So locating the blobs of a 500 MB
/// model reads only the few KB around them, and no length can make a reader allocate more than the bytes it covers. Messages of a few KB are read into an
/// array of their size, larger ones through a window of the file. A malformed message gives
/// <see cref="InvalidProtocolBufferException"/> or <see cref="InvalidDataException"/>.
/// </summary>
internal sealed class ProtoFieldReader : IDisposable
{
    /// <summary>Messages up to this size are read into an array of their size rather than through a stream's 4 KB buffer.</summary>
    private const int SmallMessageBytes = 4096;

    /// <summary>Fields up to this size are skipped by reading through them; larger ones by starting a new read after them.</summary>
    private const int ReadThroughBytes = 1 << 16;

    private readonly SafeFileHandle _file;
    private readonly long _start, _end;
    private readonly byte[]? _bytes;
    private long _origin; // the file offset at which _input's Position is 0
    private CodedInputStream _input;

    private ProtoFieldReader(SafeFileHandle file, long start, long length)
    {
        _file = file;
        _start = start;
        _end = start + length;
        if (length <= SmallMessageBytes)
        {
            _bytes = new byte[length];
            int total = 0, read;
            while (total < length && (read = RandomAccess.Read(file, _bytes.AsSpan(total), start + total)) > 0) total += read;
            // A file that shrinks under the reader gives fewer bytes, which the parser then finds truncated.
            if (total < length) _bytes = _bytes[..total];
        }
        _input = Resume(start);
    }

    /// <summary>A reader of the whole file as one message.</summary>
    public static ProtoFieldReader Open(SafeFileHandle file, long length) => new(file, 0, length);

    /// <summary>The current field's number.</summary>
    public int Field { get; private set; }

    /// <summary>The current field's wire type.</summary>
    public WireFormat.WireType WireType { get; private set; }

    /// <summary>The file offset of the next byte this reader will read (the current field's value, just after its tag).</summary>
    public long Offset => _origin + _input.Position;

    /// <summary>Moves to the next field; false at the end of the message.</summary>
    public bool Next()
    {
        uint tag = _input.ReadTag();
        if (tag == 0) return false;
        Field = WireFormat.GetTagFieldNumber(tag);
        WireType = WireFormat.GetTagWireType(tag);
        return true;
    }

    /// <summary>Skips the current field.</summary>
    public void Skip()
    {
        if (WireType == WireFormat.WireType.LengthDelimited) Location();
        else _input.SkipLastField();
    }

    /// <summary>The current field, an embedded message, as a reader of its own; this reader moves past it.</summary>
    public ProtoFieldReader Message()
    {
        var (offset, length) = Location();
        return new ProtoFieldReader(_file, offset, length);
    }

    /// <summary>Where the current length-delimited field's content lies in the file; this reader moves past it.</summary>
    public (long Offset, long Length) Location()
    {
        Expect(WireFormat.WireType.LengthDelimited);
        long at = Offset;
        var (length, prefix) = PeekLength(at);
        if (length < 0) throw new InvalidDataException($"field {Field} has a negative length");
        long start = at + prefix;
        if (length > _end - start)
            throw new InvalidDataException($"truncated: field {Field} claims {length} bytes but its message has {_end - start} left");
        if (_bytes is not null || length <= ReadThroughBytes)
        {
            _input.SkipLastField();
        }
        else
        {
            var rest = Resume(start + length);
            _input.Dispose();
            _input = rest;
        }
        return (start, length);
    }

    /// <summary>The length prefix at <paramref name="offset"/> and its size in bytes, read without moving this reader.</summary>
    private (int Length, int Size) PeekLength(long offset)
    {
        const int MaxVarintBytes = 10;
        byte[] bytes;
        int index;
        if (_bytes is not null)
        {
            (bytes, index) = (_bytes, (int)(offset - _start));
        }
        else
        {
            bytes = new byte[(int)Math.Min(MaxVarintBytes, _end - offset)];
            bytes = bytes[..RandomAccess.Read(_file, bytes, offset)];
            index = 0;
        }
        var varint = new CodedInputStream(bytes, index, Math.Min(MaxVarintBytes, bytes.Length - index));
        int length = varint.ReadLength();
        return (length, (int)varint.Position - index);
    }

    /// <summary>A coded stream that reads this reader's message from <paramref name="offset"/> on.</summary>
    private CodedInputStream Resume(long offset)
    {
        if (_bytes is not null)
        {
            // Positions of a coded stream over an array are indices into it.
            _origin = _start;
            int index = (int)Math.Min(offset - _start, _bytes.Length);
            return new CodedInputStream(_bytes, index, _bytes.Length - index);
        }
        _origin = offset;
        return new CodedInputStream(new FileWindowStream(_file, offset, _end - offset), leaveOpen: false);
    }

    /// <summary>A string field.</summary>
    public string String()
    {
        Expect(WireFormat.WireType.LengthDelimited);
        return _input.ReadString();
    }

    /// <summary>A varint field as an unsigned 32-bit value (uint32, and enums and bools, which are never negative here).</summary>
    public uint UInt32()
    {
        Expect(WireFormat.WireType.Varint);
        return _input.ReadUInt32();
    }

    /// <summary>A varint int32 field.</summary>
    public int Int32()
    {
        Expect(WireFormat.WireType.Varint);
        return _input.ReadInt32();
    }

    /// <summary>A varint int64 field.</summary>
    public long Int64()
    {
        Expect(WireFormat.WireType.Varint);
        return _input.ReadInt64();
    }

    /// <summary>A float field.</summary>
    public float Float()
    {
        Expect(WireFormat.WireType.Fixed32);
        return _input.ReadFloat();
    }

    /// <summary>Appends a repeated uint32 field's values, packed or not, refusing more than <paramref name="limit"/> in all.</summary>
    public void RepeatedUInt32(List<uint> values, int limit) => Repeated(values, limit, WireFormat.WireType.Varint, r => r._input.ReadUInt32());

    /// <summary>Appends a repeated int64 field's values, packed or not, refusing more than <paramref name="limit"/> in all.</summary>
    public void RepeatedInt64(List<long> values, int limit) => Repeated(values, limit, WireFormat.WireType.Varint, r => r._input.ReadInt64());

    /// <summary>Appends a repeated float field's values, packed or not, refusing more than <paramref name="limit"/> in all.</summary>
    public void RepeatedFloat(List<float> values, int limit) => Repeated(values, limit, WireFormat.WireType.Fixed32, r => r._input.ReadFloat());

    private void Repeated<T>(List<T> values, int limit, WireFormat.WireType unpacked, Func<ProtoFieldReader, T> read)
    {
        if (WireType != WireFormat.WireType.LengthDelimited)
        {
            Expect(unpacked);
            Add(read(this));
            return;
        }
        using var packed = Message();
        while (!packed._input.IsAtEnd) Add(read(packed));

        void Add(T value)
        {
            if (values.Count == limit) throw new InvalidDataException($"field {Field} has more than {limit} values");
            values.Add(value);
        }
    }

    /// <summary>Throws unless the current field has the wire type its declaration implies.</summary>
    public void Expect(WireFormat.WireType wireType)
    {
        if (WireType != wireType)
            throw new InvalidDataException($"field {Field} has wire type {WireType} where the message's .proto implies {wireType}");
    }

    /// <inheritdoc />
    public void Dispose() => _input.Dispose();
}
