using VggSharp.Tensors;

namespace VggSharp.Tests.Tensors;

/// <summary>
/// Storage that pretends to be on a GPU: its bytes are in a private array that only the copy methods reach, so any
/// code that reads a tensor's elements through spans fails on it, as it would on real device memory.
/// </summary>
public sealed class FakeDeviceStorage(long byteLength) : TensorStorage
{
    private byte[]? _bytes = new byte[byteLength];

    /// <summary>The device it pretends to be on.</summary>
    public static Device FakeDevice { get; } = Device.Cuda(7);

    public override Device Device => FakeDevice;

    public override long ByteLength { get; } = byteLength;

    /// <summary>Not an address anyone may read: there is no GPU.</summary>
    public override nint Pointer => 0x7E57_0000;

    private byte[] Bytes => _bytes ?? throw new ObjectDisposedException(nameof(FakeDeviceStorage));

    public override void Clear(long byteOffset, long byteCount)
    {
        CheckRange(byteOffset, byteCount);
        Bytes.AsSpan((int)byteOffset, (int)byteCount).Clear();
    }

    public override void CopyFromHost(long byteOffset, ReadOnlySpan<byte> source)
    {
        CheckRange(byteOffset, source.Length);
        source.CopyTo(Bytes.AsSpan((int)byteOffset));
    }

    public override void CopyToHost(long byteOffset, Span<byte> destination)
    {
        CheckRange(byteOffset, destination.Length);
        Bytes.AsSpan((int)byteOffset, destination.Length).CopyTo(destination);
    }

    public override void CopyFrom(long byteOffset, TensorStorage source, long sourceByteOffset, long byteCount)
    {
        CheckRange(byteOffset, byteCount);
        source.CopyToHost(sourceByteOffset, Bytes.AsSpan((int)byteOffset, (int)byteCount));
    }

    public override void Dispose() => _bytes = null;
}
