using VggSharp.Tensors;

namespace VggSharp.Kernels.Cuda;

/// <summary>
/// Device memory of a <see cref="CudaBackend"/>, from its caching allocator. Every operation is queued on the backend's
/// stream: clears and device-to-device copies return at once, uploads go through pinned staging and return once the
/// host bytes are staged, downloads wait for the stream.
/// </summary>
public sealed unsafe class CudaStorage : TensorStorage
{
    private readonly CudaBackend _backend;
    private nint _pointer;

    /// <summary>Allocates <paramref name="byteLength"/> bytes on <paramref name="backend"/>'s device; contents undefined until written.</summary>
    internal CudaStorage(CudaBackend backend, long byteLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(byteLength);
        _backend = backend;
        ByteLength = byteLength;
        _pointer = backend.Pool.Rent(byteLength);
    }

    /// <inheritdoc />
    public override Device Device => _backend.Device;

    /// <inheritdoc />
    public override long ByteLength { get; }

    /// <inheritdoc />
    public override IBackend Backend => _backend;

    /// <inheritdoc />
    public override nint Pointer => _pointer != 0 ? _pointer : throw new ObjectDisposedException(nameof(CudaStorage));

    /// <inheritdoc />
    public override void Clear(long byteOffset, long byteCount)
    {
        CheckRange(byteOffset, byteCount);
        if (byteCount == 0) return;
        var gpu = _backend.Gpu;
        gpu.MakeCurrent();
        CudaDriver.Check(CudaDriver.MemsetD8Async(Pointer + (nint)byteOffset, 0, (nuint)byteCount, gpu.Stream), "cuMemsetD8Async");
    }

    /// <inheritdoc />
    public override void CopyFromHost(long byteOffset, ReadOnlySpan<byte> source)
    {
        CheckRange(byteOffset, source.Length);
        _backend.Staging.Upload(Pointer + (nint)byteOffset, source);
    }

    /// <inheritdoc />
    public override void CopyToHost(long byteOffset, Span<byte> destination)
    {
        CheckRange(byteOffset, destination.Length);
        if (destination.IsEmpty) return;
        var gpu = _backend.Gpu;
        gpu.MakeCurrent();
        fixed (byte* host = destination)
        {
            CudaDriver.Check(CudaDriver.MemcpyDtoHAsync(host, Pointer + (nint)byteOffset, (nuint)destination.Length, gpu.Stream), "cuMemcpyDtoHAsync_v2");
            CudaDriver.Check(CudaDriver.StreamSynchronize(gpu.Stream), "cuStreamSynchronize");
        }
    }

    /// <inheritdoc />
    public override void CopyFrom(long byteOffset, TensorStorage source, long sourceByteOffset, long byteCount)
    {
        CheckRange(byteOffset, byteCount);
        if (byteCount == 0) return;
        if (source.Device.IsHost)
        {
            if (sourceByteOffset < 0 || sourceByteOffset + byteCount > source.ByteLength)
                throw new ArgumentOutOfRangeException(nameof(byteCount), $"Bytes [{sourceByteOffset}, {sourceByteOffset + byteCount}) are outside a host storage of {source.ByteLength} bytes.");
            _backend.Staging.Upload(Pointer + (nint)byteOffset, new ReadOnlySpan<byte>((byte*)(source.Pointer + (nint)sourceByteOffset), checked((int)byteCount)));
        }
        else if (source is CudaStorage other && other._backend.Gpu == _backend.Gpu)
        {
            var gpu = _backend.Gpu;
            gpu.MakeCurrent();
            CudaDriver.Check(CudaDriver.MemcpyDtoDAsync(Pointer + (nint)byteOffset, other.Pointer + (nint)sourceByteOffset, (nuint)byteCount, gpu.Stream),
                "cuMemcpyDtoDAsync_v2");
        }
        else
        {
            // Another device, or another backend's stream on this one: through the host, which orders both streams.
            var staged = new byte[checked((int)byteCount)];
            source.CopyToHost(sourceByteOffset, staged);
            CopyFromHost(byteOffset, staged);
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        if (_pointer == 0) return;
        _backend.Pool.Return(_pointer, ByteLength);
        _pointer = 0;
        GC.SuppressFinalize(this);
    }

    /// <summary>Returns memory that was never disposed to the pool (no CUDA call: safe on the finaliser thread).</summary>
    ~CudaStorage()
    {
        if (_pointer != 0) _backend.Pool.Return(_pointer, ByteLength);
    }
}
