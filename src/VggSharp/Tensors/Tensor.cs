using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace VggSharp.Tensors;

/// <summary>
/// A dense float32 tensor in row-major order (NCHW for images) on 64-byte aligned native memory,
/// so that Vector512 loads never straddle a cache line at the start of a buffer.
/// Tensors own their memory and must be disposed; views made with <see cref="Reshaped"/> share it.
/// </summary>
public sealed unsafe class Tensor : IDisposable
{
    private const nuint Alignment = 64;
    private float* _data;
    private readonly bool _ownsMemory;
    private readonly Tensor? _owner;

    /// <summary>Allocates a zero-filled tensor.</summary>
    public Tensor(TensorShape shape)
    {
        Shape = shape;
        nuint bytes = (nuint)shape.ElementCount * sizeof(float);
        _data = (float*)NativeMemory.AlignedAlloc(bytes, Alignment);
        NativeMemory.Clear(_data, bytes);
        _ownsMemory = true;
        GC.AddMemoryPressure((long)bytes);
    }

    /// <summary>Allocates a zero-filled tensor.</summary>
    public Tensor(params int[] dimensions) : this(new TensorShape(dimensions)) { }

    private Tensor(Tensor owner, TensorShape shape, int offset = 0)
    {
        Shape = shape;
        _data = owner._data + offset;
        _owner = owner;
        _ownsMemory = false;
    }

    /// <summary>The tensor's dimensions.</summary>
    public TensorShape Shape { get; }

    /// <summary>The number of elements.</summary>
    public int Length => Shape.ElementCount;

    /// <summary>The elements.</summary>
    public Span<float> Span
    {
        get
        {
            ThrowIfDisposed();
            return new Span<float>(_data, Length);
        }
    }

    /// <summary>The elements as raw little-endian bytes (for serialisation).</summary>
    public Span<byte> Bytes => MemoryMarshal.AsBytes(Span);

    /// <summary>A reference to the first element, for kernels that use <c>Vector512.LoadUnsafe</c>.</summary>
    public ref float Reference
    {
        get
        {
            ThrowIfDisposed();
            return ref Unsafe.AsRef<float>(_data);
        }
    }

    /// <summary>The elements of batch item <paramref name="n"/>.</summary>
    public Span<float> Item(int n)
    {
        int size = Shape.ItemSize;
        return Span.Slice(n * size, size);
    }

    /// <summary>A view with another shape of the same element count, sharing this tensor's memory.</summary>
    public Tensor Reshaped(TensorShape shape)
    {
        if (shape.ElementCount != Length)
            throw new ArgumentException($"Cannot view a tensor of shape {Shape} as {shape}: element counts differ.");
        ThrowIfDisposed();
        return new Tensor(_owner ?? this, shape);
    }

    /// <summary>A view of the first <paramref name="count"/> batch items, sharing this tensor's memory (a short last batch).</summary>
    public Tensor FirstItems(int count) => count == Shape.N && !IsDisposed ? this : Items(0, count);

    /// <summary>A view of batch items [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>), sharing this tensor's memory.</summary>
    public Tensor Items(int start, int count)
    {
        if (start < 0 || count < 1 || start + count > Shape.N)
            throw new ArgumentOutOfRangeException(nameof(count), $"Items [{start}, {start + count}) of a batch of {Shape.N}.");
        ThrowIfDisposed();
        var root = _owner ?? this;
        return new Tensor(root, Shape.WithBatch(count), (int)(_data - root._data) + start * Shape.ItemSize);
    }

    /// <summary>Copies the elements of <paramref name="source"/>, which must have the same shape.</summary>
    public void CopyFrom(Tensor source)
    {
        if (source.Shape != Shape) throw new ArgumentException($"Shape mismatch: {source.Shape} into {Shape}.");
        source.Span.CopyTo(Span);
    }

    /// <summary>A copy with its own memory.</summary>
    public Tensor Clone()
    {
        var t = new Tensor(Shape);
        Span.CopyTo(t.Span);
        return t;
    }

    /// <summary>Creates a tensor holding a copy of <paramref name="values"/>.</summary>
    public static Tensor FromArray(ReadOnlySpan<float> values, params int[] dimensions)
    {
        var t = new Tensor(dimensions);
        if (values.Length != t.Length)
            throw new ArgumentException($"{values.Length} values do not fill a tensor of shape {t.Shape}.");
        values.CopyTo(t.Span);
        return t;
    }

    /// <summary>Sets every element to zero.</summary>
    public void Clear() => Span.Clear();

    /// <summary>The elements as a new array (for tests and small tensors).</summary>
    public float[] ToArray() => Span.ToArray();

    /// <summary>True once the owning tensor has been disposed.</summary>
    public bool IsDisposed => (_owner ?? this)._data == null;

    private void ThrowIfDisposed()
    {
        if (IsDisposed) throw new ObjectDisposedException(nameof(Tensor));
    }

    /// <summary>Frees the memory (a view frees nothing).</summary>
    public void Dispose()
    {
        if (_ownsMemory && _data != null)
        {
            NativeMemory.AlignedFree(_data);
            GC.RemoveMemoryPressure((long)Length * sizeof(float));
        }
        _data = null;
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees native memory that was never disposed.</summary>
    ~Tensor()
    {
        if (_ownsMemory && _data != null) NativeMemory.AlignedFree(_data);
    }

    /// <inheritdoc />
    public override string ToString() => $"Tensor{Shape}";
}
