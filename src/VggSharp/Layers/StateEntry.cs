using System.Runtime.InteropServices;
using VggSharp.Tensors;

namespace VggSharp.Layers;

/// <summary>
/// One named tensor of a model's state (a parameter or a buffer such as a running mean), exposed as raw
/// little-endian bytes so that serialisers read and write the model's own memory without copies.
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

    /// <summary>The data as little-endian bytes, writable, aliasing the model's memory.</summary>
    public Span<byte> Bytes => _tensor is not null ? _tensor.Bytes : MemoryMarshal.AsBytes(_integers.AsSpan());

    /// <summary>A copy of this entry under another key (used when a network nests layers under a prefix).</summary>
    public StateEntry WithKey(string key) =>
        _tensor is not null ? new StateEntry(key, _tensor, IsTrainable) : new StateEntry(key, _integers!);
}
