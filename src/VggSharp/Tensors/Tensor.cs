using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace VggSharp.Tensors;

/// <summary>
/// A dense tensor whose elements live in a <see cref="TensorStorage"/>: host memory (64-byte aligned, so that Vector512
/// loads never straddle a cache line at the start of a buffer) or a device's. Host tensors hold float32 in row-major
/// order (NCHW for images) and expose their elements through <see cref="Span"/>; a device tensor may hold another
/// <see cref="TensorFormat"/> (bfloat16, channels last), converted by its device whenever it is copied. Any tensor
/// copies to and from the host explicitly (<see cref="CopyTo"/>, <see cref="CopyFrom(ReadOnlySpan{float})"/>,
/// <see cref="ToHost"/>), never implicitly, and always as float32 in row-major order.
/// Tensors own their storage and must be disposed; views made with <see cref="Reshaped"/> and <see cref="Items"/> share it.
/// </summary>
public sealed unsafe class Tensor : IDisposable
{
    private readonly TensorStorage _storage;
    private readonly long _byteOffset;
    /// <summary>The tensor that owns the storage, for a view; null for the owner itself.</summary>
    private readonly Tensor? _owner;
    /// <summary>The first element's host address, or null on a device (kept so that host reads make no virtual call).</summary>
    private readonly float* _hostData;
    private bool _disposed;

    /// <summary>Allocates a zero-filled tensor in host memory.</summary>
    public Tensor(TensorShape shape) : this(new HostStorage((long)shape.ElementCount * sizeof(float)), shape) { }

    /// <summary>Allocates a zero-filled tensor in host memory.</summary>
    public Tensor(params int[] dimensions) : this(new TensorShape(dimensions)) { }

    /// <summary>A float32 tensor over <paramref name="storage"/>, which it takes ownership of (and frees when disposed).</summary>
    public Tensor(TensorStorage storage, TensorShape shape) : this(storage, shape, TensorFormat.Float32) { }

    /// <summary>
    /// A tensor of <paramref name="format"/> over <paramref name="storage"/>, which it takes ownership of (and frees when
    /// disposed); host storage holds float32 only.
    /// </summary>
    public Tensor(TensorStorage storage, TensorShape shape, TensorFormat format)
    {
        ArgumentNullException.ThrowIfNull(storage);
        format.CheckFits(shape);
        if (storage.Device.IsHost && !format.IsFloat32)
            throw new ArgumentException($"Host tensors hold float32 in row-major order, not {format}.", nameof(format));
        if (storage.ByteLength < (long)shape.ElementCount * format.ElementSize)
            throw new ArgumentException($"A storage of {storage.ByteLength} bytes cannot hold a tensor of shape {shape} ({format}).", nameof(storage));
        _storage = storage;
        Shape = shape;
        Format = format;
        if (storage.Device.IsHost) _hostData = (float*)storage.Pointer;
    }

    private Tensor(Tensor owner, TensorShape shape, TensorFormat format, long byteOffset)
    {
        _storage = owner._storage;
        _owner = owner;
        _byteOffset = byteOffset;
        Shape = shape;
        Format = format;
        if (owner._hostData != null) _hostData = (float*)((byte*)owner._hostData + byteOffset);
    }

    /// <summary>The tensor's dimensions.</summary>
    public TensorShape Shape { get; }

    /// <summary>How the elements lie in memory: float32 row-major on the host; maybe bfloat16 or channels last on a device.</summary>
    public TensorFormat Format { get; }

    /// <summary>The number of elements.</summary>
    public int Length => Shape.ElementCount;

    /// <summary>The device the elements live on.</summary>
    public Device Device => _storage.Device;

    /// <summary>True when the elements are in host memory, readable through <see cref="Span"/>.</summary>
    public bool IsOnHost => _hostData != null;

    /// <summary>The memory the elements live in (shared with views).</summary>
    public TensorStorage Storage => _storage;

    /// <summary>Address of this tensor's first element (the storage's pointer plus the view's offset), for GPU kernels.</summary>
    public nint Pointer
    {
        get
        {
            ThrowIfDisposed();
            return _storage.Pointer + (nint)_byteOffset;
        }
    }

    private long ByteLength => (long)Length * Format.ElementSize;

    /// <summary>The elements; host tensors only.</summary>
    public Span<float> Span => new(HostData, Length);

    /// <summary>The elements as raw little-endian bytes (for serialisation); host tensors only.</summary>
    public Span<byte> Bytes => MemoryMarshal.AsBytes(Span);

    /// <summary>A reference to the first element, for kernels that use <c>Vector512.LoadUnsafe</c>; host tensors only.</summary>
    public ref float Reference => ref Unsafe.AsRef<float>(HostData);

    private float* HostData
    {
        get
        {
            ThrowIfDisposed();
            if (_hostData == null)
                throw new InvalidOperationException($"This tensor lives on {Device}; copy it to the host first (ToHost or CopyTo).");
            return _hostData;
        }
    }

    /// <summary>The elements of batch item <paramref name="n"/>; host tensors only.</summary>
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
        if (Format.ChannelsLast && shape != Shape)
            throw new ArgumentException($"Cannot view a channels-last tensor of shape {Shape} as {shape}: its elements are not in row-major order " +
                "(convert it to a row-major tensor first: IBackend.Convert).");
        ThrowIfDisposed();
        return new Tensor(_owner ?? this, shape, Format, _byteOffset);
    }

    /// <summary>A view of the first <paramref name="count"/> batch items, sharing this tensor's memory (a short last batch).</summary>
    public Tensor FirstItems(int count) => count == Shape.N && !IsDisposed ? this : Items(0, count);

    /// <summary>A view of batch items [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>), sharing this tensor's memory.</summary>
    public Tensor Items(int start, int count)
    {
        if (start < 0 || count < 1 || start + count > Shape.N)
            throw new ArgumentOutOfRangeException(nameof(count), $"Items [{start}, {start + count}) of a batch of {Shape.N}.");
        ThrowIfDisposed();
        return new Tensor(_owner ?? this, Shape.WithBatch(count), Format, _byteOffset + (long)start * Shape.ItemSize * Format.ElementSize);
    }

    /// <summary>
    /// Copies the elements of <paramref name="source"/>, which must have the same shape, from any device to this one,
    /// converting between formats on the device that holds the other format.
    /// </summary>
    public void CopyFrom(Tensor source)
    {
        if (source.Shape != Shape) throw new ArgumentException($"Shape mismatch: {source.Shape} into {Shape}.");
        ThrowIfDisposed();
        source.ThrowIfDisposed();
        if (source.Format != Format)
        {
            if (source.Device == Device) Converter(this).Convert(source, this);
            else if (!source.Format.IsFloat32)
            {
                using var plain = Converter(source).Allocate(Shape);
                Converter(source).Convert(source, plain);
                CopyFrom(plain);
            }
            else
            {
                using var plain = Converter(this).Allocate(Shape);
                plain.CopyFrom(source);
                Converter(this).Convert(plain, this);
            }
        }
        // A device's storage knows how to reach the host, so the copy goes through whichever side is not the host.
        else if (IsOnHost && !source.IsOnHost) source._storage.CopyToHost(source._byteOffset, Bytes);
        else _storage.CopyFrom(_byteOffset, source._storage, source._byteOffset, ByteLength);
    }

    /// <summary>Copies host values (float32, row-major) in; <paramref name="source"/> holds exactly <see cref="Length"/> of them.</summary>
    public void CopyFrom(ReadOnlySpan<float> source)
    {
        CheckHostLength(source.Length);
        if (Format.IsFloat32) _storage.CopyFromHost(_byteOffset, MemoryMarshal.AsBytes(source));
        else
        {
            using var plain = Converter(this).Allocate(Shape);
            plain.CopyFrom(source);
            Converter(this).Convert(plain, this);
        }
    }

    /// <summary>Copies the elements out to the host as float32 in row-major order; <paramref name="destination"/> holds exactly <see cref="Length"/> of them.</summary>
    public void CopyTo(Span<float> destination)
    {
        CheckHostLength(destination.Length);
        if (Format.IsFloat32) _storage.CopyToHost(_byteOffset, MemoryMarshal.AsBytes(destination));
        else
        {
            using var plain = Converter(this).Allocate(Shape);
            Converter(this).Convert(this, plain);
            plain.CopyTo(destination);
        }
    }

    /// <summary>The backend of the device that holds <paramref name="tensor"/>, which converts its format.</summary>
    private static Kernels.IBackend Converter(Tensor tensor) => tensor._storage.Backend
        ?? throw new InvalidOperationException($"No backend converts tensors on {tensor.Device} from {tensor.Format}.");

    /// <summary>A new host tensor holding a copy of the elements (for inspection; an explicit copy from a device).</summary>
    public Tensor ToHost()
    {
        var copy = new Tensor(Shape);
        CopyTo(copy.Span);
        return copy;
    }

    /// <summary>A copy in host memory of its own (the same as <see cref="ToHost"/>).</summary>
    public Tensor Clone() => ToHost();

    /// <summary>Creates a host tensor holding a copy of <paramref name="values"/>.</summary>
    public static Tensor FromArray(ReadOnlySpan<float> values, params int[] dimensions)
    {
        var t = new Tensor(dimensions);
        if (values.Length != t.Length)
            throw new ArgumentException($"{values.Length} values do not fill a tensor of shape {t.Shape}.");
        values.CopyTo(t.Span);
        return t;
    }

    /// <summary>Sets every element to zero, on any device.</summary>
    public void Clear()
    {
        ThrowIfDisposed();
        _storage.Clear(_byteOffset, ByteLength);
    }

    /// <summary>The elements as a new array (for tests and small tensors), copied from any device.</summary>
    public float[] ToArray()
    {
        var values = new float[Length];
        CopyTo(values);
        return values;
    }

    /// <summary>True once the owning tensor has been disposed.</summary>
    public bool IsDisposed => (_owner ?? this)._disposed;

    private void ThrowIfDisposed()
    {
        if (IsDisposed) throw new ObjectDisposedException(nameof(Tensor));
    }

    private void CheckHostLength(int length)
    {
        ThrowIfDisposed();
        if (length != Length) throw new ArgumentException($"{length} values for a tensor of shape {Shape} ({Length} elements).");
    }

    /// <summary>Frees the storage (a view frees nothing).</summary>
    public void Dispose()
    {
        if (_owner is not null || _disposed) return;
        _storage.Dispose();
        _disposed = true;
    }

    /// <inheritdoc />
    public override string ToString() => $"Tensor{Shape}";
}
