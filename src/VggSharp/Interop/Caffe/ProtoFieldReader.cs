using Google.Protobuf;
using Microsoft.Win32.SafeHandles;

namespace VggSharp.Interop.Caffe;

/// <summary>
/// Reads one protobuf message of a file field by field, at the wire level, with Google.Protobuf's
/// <see cref="CodedInputStream"/>. An embedded message is read by a reader of its own over its bytes in the file,
/// found by skipping the field in this one, so every length is checked against the bytes present before anything is
/// read by it, and large fields (blob data) are located without being loaded. A malformed message gives
/// <see cref="InvalidProtocolBufferException"/> or <see cref="InvalidDataException"/>.
/// </summary>
internal sealed class ProtoFieldReader : IDisposable
{
    /// <summary>Messages up to this size are read into an array of their size rather than through a stream's 4 KB buffer.</summary>
    private const int SmallMessageBytes = 4096;

    private readonly SafeFileHandle _file;
    private readonly long _start;
    private readonly CodedInputStream _input;

    private ProtoFieldReader(SafeFileHandle file, long start, long length)
    {
        _file = file;
        _start = start;
        _input = length <= SmallMessageBytes
            ? new CodedInputStream(ReadSmall(file, start, (int)length))
            : new CodedInputStream(new FileWindowStream(file, start, length), leaveOpen: false);
    }

    // A file that shrinks under the reader gives fewer bytes, which the parser then finds truncated.
    private static byte[] ReadSmall(SafeFileHandle file, long start, int length)
    {
        var bytes = new byte[length];
        int total = 0, read;
        while (total < length && (read = RandomAccess.Read(file, bytes.AsSpan(total), start + total)) > 0) total += read;
        return total == length ? bytes : bytes[..total];
    }

    /// <summary>A reader of the whole file as one message.</summary>
    public static ProtoFieldReader Open(SafeFileHandle file, long length) => new(file, 0, length);

    /// <summary>The current field's number.</summary>
    public int Field { get; private set; }

    /// <summary>The current field's wire type.</summary>
    public WireFormat.WireType WireType { get; private set; }

    /// <summary>The file offset of the next byte this reader will read (the current field's value, just after its tag).</summary>
    public long Offset => _start + _input.Position;

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
    public void Skip() => _input.SkipLastField();

    /// <summary>The current field, an embedded message, as a reader of its own; this reader moves past it.</summary>
    public ProtoFieldReader Message()
    {
        Expect(WireFormat.WireType.LengthDelimited);
        long before = _input.Position;
        _input.SkipLastField(); // validates the length against the bytes present, reading through them
        var inner = new ProtoFieldReader(_file, _start + before, _input.Position - before);
        inner._input.ReadLength(); // the window starts at the length prefix; what follows is exactly the content
        return inner;
    }

    /// <summary>Where the current length-delimited field's content lies in the file; this reader moves past it.</summary>
    public (long Offset, long Length) Location()
    {
        using var inner = Message();
        long contentStart = inner.Offset;
        return (contentStart, _start + _input.Position - contentStart);
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

    /// <summary>A float field.</summary>
    public float Float()
    {
        Expect(WireFormat.WireType.Fixed32);
        return _input.ReadFloat();
    }

    /// <summary>Appends a repeated uint32 field's values, packed or not, refusing more than <paramref name="limit"/> in all.</summary>
    public void RepeatedUInt32(List<uint> values, int limit) => Repeated(values, limit, r => r._input.ReadUInt32());

    /// <summary>Appends a repeated int64 field's values, packed or not, refusing more than <paramref name="limit"/> in all.</summary>
    public void RepeatedInt64(List<long> values, int limit) => Repeated(values, limit, r => r._input.ReadInt64());

    private void Repeated<T>(List<T> values, int limit, Func<ProtoFieldReader, T> read)
    {
        if (WireType == WireFormat.WireType.Varint)
        {
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
            throw new InvalidDataException($"field {Field} has wire type {WireType} where caffe.proto implies {wireType}");
    }

    /// <inheritdoc />
    public void Dispose() => _input.Dispose();
}
