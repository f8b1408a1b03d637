namespace VggSharp.Tensors;

/// <summary>
/// Memory a tensor's elements live in, on the host or on a device. Owned by the tensor that allocated it; views of
/// that tensor share it. Offsets and counts are in bytes.
/// </summary>
public abstract class TensorStorage : IDisposable
{
    /// <summary>Where the memory is.</summary>
    public abstract Device Device { get; }

    /// <summary>The size in bytes.</summary>
    public abstract long ByteLength { get; }

    /// <summary>
    /// The backend whose device holds this memory, which converts between tensor formats there; null for host memory,
    /// which holds float32 only.
    /// </summary>
    public virtual Kernels.IBackend? Backend => null;

    /// <summary>Address of the first byte: a host address for host storage, a device address (CUdeviceptr) for device storage.</summary>
    public abstract nint Pointer { get; }

    /// <summary>Sets <paramref name="byteCount"/> bytes from <paramref name="byteOffset"/> to zero.</summary>
    public abstract void Clear(long byteOffset, long byteCount);

    /// <summary>Copies host bytes in, from <paramref name="byteOffset"/> on.</summary>
    public abstract void CopyFromHost(long byteOffset, ReadOnlySpan<byte> source);

    /// <summary>Copies bytes from <paramref name="byteOffset"/> on out to the host.</summary>
    public abstract void CopyToHost(long byteOffset, Span<byte> destination);

    /// <summary>
    /// Copies <paramref name="byteCount"/> bytes of <paramref name="source"/> from <paramref name="sourceByteOffset"/>
    /// into this storage at <paramref name="byteOffset"/>; one of the two storages is of this one's kind (host to
    /// device, device to host, device to device).
    /// </summary>
    public abstract void CopyFrom(long byteOffset, TensorStorage source, long sourceByteOffset, long byteCount);

    /// <summary>Frees the memory.</summary>
    public abstract void Dispose();

    /// <summary>Throws unless [<paramref name="byteOffset"/>, + <paramref name="byteCount"/>) lies within the storage.</summary>
    protected void CheckRange(long byteOffset, long byteCount)
    {
        if (byteOffset < 0 || byteCount < 0 || byteOffset + byteCount > ByteLength)
            throw new ArgumentOutOfRangeException(nameof(byteCount), $"Bytes [{byteOffset}, {byteOffset + byteCount}) of a storage of {ByteLength} bytes on {Device}.");
    }
}
