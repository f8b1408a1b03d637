using System.Buffers;
using System.Runtime.InteropServices;
using VggSharp.Tensors;

namespace VggSharp.Layers;

/// <summary>
/// One named tensor of a model's state (a parameter or a buffer such as a running mean), as raw little-endian bytes:
/// <see cref="CopyTo"/> and <see cref="CopyFrom(ReadOnlySpan{byte})"/> work wherever the tensor lives, and
/// <see cref="Bytes"/> lets serialisers use a host model's own memory without copies.
/// Keys follow torchvision ("features.0.weight", "classifier.6.bias", "features.1.running_var").
/// </summary>
public sealed class StateEntry
{
    private readonly Tensor? _tensor;
    private readonly long[]? _integers;

    /// <summary>A float32 entry backed by a tensor.</summary>
    public StateEntry(string key, Tensor tensor, bool trainable)
    {
        Key = key;
        _tensor = tensor;
        ElementType = StateElementType.Float32;
        Shape = tensor.Shape.ToArray();
        IsTrainable = trainable;
    }

    /// <summary>An int64 scalar entry (shape []) backed by a one-element array.</summary>
    public StateEntry(string key, long[] scalar)
    {
        if (scalar.Length != 1) throw new ArgumentException("An int64 state entry holds exactly one value.", nameof(scalar));
        Key = key;
        _integers = scalar;
        ElementType = StateElementType.Int64;
        Shape = [];
    }

    /// <summary>The full key.</summary>
    public string Key { get; }

    /// <summary>The element type.</summary>
    public StateElementType ElementType { get; }

    /// <summary>The shape; empty for a scalar.</summary>
    public int[] Shape { get; }

    /// <summary>True for trainable parameters, false for buffers.</summary>
    public bool IsTrainable { get; }

    /// <summary>The number of bytes the data occupies.</summary>
    public long ByteLength => ElementType == StateElementType.Int64 ? 8 : (long)_tensor!.Length * sizeof(float);

    /// <summary>The data as little-endian bytes, writable, aliasing the model's memory; host entries only (see <see cref="IsOnHost"/>).</summary>
    public Span<byte> Bytes => _tensor is not null ? _tensor.Bytes : MemoryMarshal.AsBytes(_integers.AsSpan());

    /// <summary>True when the data is host memory, which <see cref="Bytes"/> exposes.</summary>
    public bool IsOnHost => _tensor?.IsOnHost ?? true;

    /// <summary>Copies the data into <paramref name="destination"/> (exactly <see cref="ByteLength"/> bytes), from any device.</summary>
    public void CopyTo(Span<byte> destination)
    {
        if (destination.Length != ByteLength) throw new ArgumentException($"{Key} has {ByteLength} bytes, not {destination.Length}.", nameof(destination));
        if (_tensor is null) MemoryMarshal.AsBytes(_integers.AsSpan()).CopyTo(destination);
        else _tensor.CopyTo(MemoryMarshal.Cast<byte, float>(destination));
    }

    /// <summary>Replaces the data with <paramref name="source"/> (exactly <see cref="ByteLength"/> bytes), on any device.</summary>
    public void CopyFrom(ReadOnlySpan<byte> source)
    {
        if (source.Length != ByteLength) throw new ArgumentException($"{Key} has {ByteLength} bytes, not {source.Length}.", nameof(source));
        if (_tensor is null) source.CopyTo(MemoryMarshal.AsBytes(_integers.AsSpan()));
        else _tensor.CopyFrom(MemoryMarshal.Cast<byte, float>(source));
    }

    /// <summary>The data as host bytes, for reading: the model's own memory for a host entry, a copy for a device one.</summary>
    public ReadOnlySpan<byte> HostBytes()
    {
        if (IsOnHost) return Bytes;
        var copy = GC.AllocateUninitializedArray<byte>(checked((int)ByteLength));
        CopyTo(copy);
        return copy;
    }

    /// <summary>
    /// Has <paramref name="fill"/> write the data: straight into a host entry's memory, or into host bytes that are then
    /// copied to the device.
    /// </summary>
    public void Write<TState>(TState state, SpanAction<byte, TState> fill)
    {
        if (IsOnHost)
        {
            fill(Bytes, state);
            return;
        }
        var staged = GC.AllocateUninitializedArray<byte>(checked((int)ByteLength));
        fill(staged, state);
        CopyFrom(staged);
    }

    /// <summary>Replaces the data with another entry's of the same type and size (its shape may differ), across devices.</summary>
    public void CopyFrom(StateEntry source)
    {
        if (source.ElementType != ElementType || source.ByteLength != ByteLength)
            throw new ArgumentException($"{source.Key} ({source.ByteLength} bytes of {source.ElementType}) cannot become {Key} ({ByteLength} bytes of {ElementType}).");
        if (_tensor is null) source._integers.AsSpan().CopyTo(_integers);
        else _tensor.CopyFrom(source._tensor!.Shape == _tensor.Shape ? source._tensor : source._tensor.Reshaped(_tensor.Shape));
    }

    /// <summary>A copy of this entry under another key (used when a network nests layers under a prefix).</summary>
    public StateEntry WithKey(string key) =>
        _tensor is not null ? new StateEntry(key, _tensor, IsTrainable) : new StateEntry(key, _integers!);
}
