using Google.Protobuf;

namespace VggSharp.Interop;

/// <summary>
/// Writes a protobuf message field by field, by field number, with Google.Protobuf's <see cref="CodedOutputStream"/>:
/// small messages into memory (then embedded whole with <see cref="Message"/>), large ones straight to a stream, their
/// big byte fields announced with <see cref="Header"/> and copied with <see cref="Raw"/> from where they lie.
/// </summary>
internal sealed class ProtoWriter
{
    private readonly Stream _stream;
    private readonly CodedOutputStream _output;

    /// <summary>A message in memory.</summary>
    public ProtoWriter() : this(new MemoryStream()) { }

    /// <summary>A message written to <paramref name="stream"/>, which stays open.</summary>
    public ProtoWriter(Stream stream)
    {
        _stream = stream;
        _output = new CodedOutputStream(stream, leaveOpen: true);
    }

    /// <summary>A varint field (int32, int64, uint32, uint64, bool, enum).</summary>
    public ProtoWriter Varint(int field, ulong value)
    {
        _output.WriteTag(field, WireFormat.WireType.Varint);
        _output.WriteUInt64(value);
        return this;
    }

    /// <summary>A float field.</summary>
    public ProtoWriter Float(int field, float value)
    {
        _output.WriteTag(field, WireFormat.WireType.Fixed32);
        _output.WriteFloat(value);
        return this;
    }

    /// <summary>A string field, UTF-8.</summary>
    public ProtoWriter String(int field, string value)
    {
        _output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _output.WriteString(value);
        return this;
    }

    /// <summary>A bytes field.</summary>
    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> value) => Header(field, (ulong)value.Length).Raw(value);

    /// <summary>An embedded message written in memory.</summary>
    public ProtoWriter Message(int field, ProtoWriter message) => Bytes(field, message.ToArray());

    /// <summary>A repeated varint field: packed into one length-delimited field, or one field per value (proto2's default).</summary>
    public ProtoWriter Varints(int field, IEnumerable<long> values, bool packed)
    {
        if (!packed)
        {
            foreach (long v in values) Varint(field, (ulong)v);
            return this;
        }
        var content = new ProtoWriter();
        foreach (long v in values) content._output.WriteInt64(v);
        return Bytes(field, content.ToArray());
    }

    /// <summary>The tag and length prefix of a length-delimited field whose <paramref name="length"/> bytes the caller writes next.</summary>
    public ProtoWriter Header(int field, ulong length)
    {
        _output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _output.WriteUInt64(length);
        return this;
    }

    /// <summary>Bytes as they are: the content announced by <see cref="Header"/>.</summary>
    public ProtoWriter Raw(ReadOnlySpan<byte> bytes)
    {
        _output.Flush();
        _stream.Write(bytes);
        return this;
    }

    /// <summary>The bytes of a message written in memory.</summary>
    public byte[] ToArray()
    {
        _output.Flush();
        return ((MemoryStream)_stream).ToArray();
    }

    /// <summary>The size on the wire of a length-delimited field (tag, length, content) of <paramref name="length"/> bytes.</summary>
    public static long FieldSize(int field, long length) =>
        CodedOutputStream.ComputeTagSize(field) + CodedOutputStream.ComputeRawVarint64Size((ulong)length) + length;

    /// <summary>Writes what is buffered to the stream.</summary>
    public void Flush() => _output.Flush();
}
