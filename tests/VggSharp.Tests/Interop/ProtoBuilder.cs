using Google.Protobuf;

namespace VggSharp.Tests.Interop;

/// <summary>Builds protobuf messages field by field for tests, including malformed ones (any tag, any length prefix).</summary>
public sealed class ProtoBuilder
{
    private readonly MemoryStream _bytes = new();
    private readonly CodedOutputStream _output;

    /// <summary>An empty message.</summary>
    public ProtoBuilder() => _output = new CodedOutputStream(_bytes, leaveOpen: true);

    /// <summary>A varint field.</summary>
    public ProtoBuilder Varint(int field, ulong value)
    {
        _output.WriteTag(field, WireFormat.WireType.Varint);
        _output.WriteUInt64(value);
        return this;
    }

    /// <summary>A float field.</summary>
    public ProtoBuilder Float(int field, float value)
    {
        _output.WriteTag(field, WireFormat.WireType.Fixed32);
        _output.WriteFloat(value);
        return this;
    }

    /// <summary>A string field.</summary>
    public ProtoBuilder String(int field, string value)
    {
        _output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _output.WriteString(value);
        return this;
    }

    /// <summary>An embedded message or bytes field.</summary>
    public ProtoBuilder Bytes(int field, ReadOnlySpan<byte> value)
    {
        _output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _output.WriteBytes(ByteString.CopyFrom(value));
        return this;
    }

    /// <summary>An embedded message.</summary>
    public ProtoBuilder Message(int field, ProtoBuilder message) => Bytes(field, message.ToArray());

    /// <summary>Repeated floats, packed, or each with its own tag.</summary>
    public ProtoBuilder Floats(int field, ReadOnlySpan<float> values, bool packed)
    {
        if (packed) return Bytes(field, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));
        foreach (float v in values) Float(field, v);
        return this;
    }

    /// <summary>Repeated varints, packed, or each with its own tag.</summary>
    public ProtoBuilder Varints(int field, IEnumerable<long> values, bool packed)
    {
        if (!packed)
        {
            foreach (long v in values) Varint(field, (ulong)v);
            return this;
        }
        var inner = new ProtoBuilder();
        foreach (long v in values) inner._output.WriteInt64(v);
        return Bytes(field, inner.ToArray());
    }

    /// <summary>A length-delimited field whose length prefix says <paramref name="claimedLength"/>, followed by <paramref name="content"/>.</summary>
    public ProtoBuilder Claiming(int field, uint claimedLength, ReadOnlySpan<byte> content)
    {
        _output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _output.WriteUInt32(claimedLength);
        _output.Flush();
        _bytes.Write(content);
        return this;
    }

    /// <summary>Raw bytes, as they are.</summary>
    public ProtoBuilder Raw(ReadOnlySpan<byte> bytes)
    {
        _output.Flush();
        _bytes.Write(bytes);
        return this;
    }

    /// <summary>The message's bytes.</summary>
    public byte[] ToArray()
    {
        _output.Flush();
        return _bytes.ToArray();
    }
}
