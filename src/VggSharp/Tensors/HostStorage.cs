using System.Runtime.InteropServices;

namespace VggSharp.Tensors;

/// <summary>
/// Host memory, 64-byte aligned so that Vector512 loads never straddle a cache line at the start of a buffer, and
/// zeroed when allocated.
/// </summary>
public sealed unsafe class HostStorage : TensorStorage
{
    private const nuint Alignment = 64;
    private byte* _data;

    /// <summary>Allocates <paramref name="byteLength"/> zeroed bytes.</summary>
    public HostStorage(long byteLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(byteLength);
        ByteLength = byteLength;
        _data = (byte*)NativeMemory.AlignedAlloc((nuint)byteLength, Alignment);
        NativeMemory.Clear(_data, (nuint)byteLength);
        GC.AddMemoryPressure(Math.Max(byteLength, 1));
    }

    /// <inheritdoc />
    public override Device Device => Device.Cpu;

    /// <inheritdoc />
    public override long ByteLength { get; }

    /// <inheritdoc />
    public override nint Pointer => _data != null ? (nint)_data : throw new ObjectDisposedException(nameof(HostStorage));

    /// <inheritdoc />
    public override void Clear(long byteOffset, long byteCount)
    {
        CheckRange(byteOffset, byteCount);
        NativeMemory.Clear((byte*)Pointer + byteOffset, (nuint)byteCount);
    }

    /// <inheritdoc />
    public override void CopyFromHost(long byteOffset, ReadOnlySpan<byte> source)
    {
        CheckRange(byteOffset, source.Length);
        source.CopyTo(new Span<byte>((byte*)Pointer + byteOffset, source.Length));
    }

    /// <inheritdoc />
    public override void CopyToHost(long byteOffset, Span<byte> destination)
    {
        CheckRange(byteOffset, destination.Length);
        new ReadOnlySpan<byte>((byte*)Pointer + byteOffset, destination.Length).CopyTo(destination);
    }

    /// <inheritdoc />
    public override void CopyFrom(long byteOffset, TensorStorage source, long sourceByteOffset, long byteCount)
    {
        CheckRange(byteOffset, byteCount);
        // Host to host is a plain copy; from a device, the device's storage knows how to reach the host.
        var destination = new Span<byte>((byte*)Pointer + byteOffset, checked((int)byteCount));
        if (source is HostStorage host)
        {
            host.CheckRange(sourceByteOffset, byteCount);
            new ReadOnlySpan<byte>((byte*)host.Pointer + sourceByteOffset, destination.Length).CopyTo(destination);
        }
        else
        {
            source.CopyToHost(sourceByteOffset, destination);
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees memory that was never disposed.</summary>
    ~HostStorage() => Free();

    private void Free()
    {
        if (_data == null) return;
        NativeMemory.AlignedFree(_data);
        _data = null;
        GC.RemoveMemoryPressure(Math.Max(ByteLength, 1));
    }
}
