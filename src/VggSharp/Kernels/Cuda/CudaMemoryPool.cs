namespace VggSharp.Kernels.Cuda;

/// <summary>
/// A caching allocator of device memory: freed blocks are kept by size and handed out again, so a training step that
/// frees and allocates the same sizes never calls cuMemAlloc (which can synchronise the device). Sizes are rounded up
/// (to 512 bytes below 1 MiB, to 2 MiB above) so near sizes share blocks. All work is on one stream, so a block freed
/// by one tensor can be given to the next at once: its new owner's work is queued after its old owner's.
/// </summary>
internal sealed unsafe class CudaMemoryPool(CudaDevice device)
{
    private const long SmallRounding = 512, LargeRounding = 2L << 20, LargeFrom = 1L << 20;
    private readonly Dictionary<long, Stack<nint>> _free = [];
    private readonly Lock _gate = new();

    /// <summary>The block size a request of <paramref name="bytes"/> gets.</summary>
    public static long BlockSize(long bytes)
    {
        long rounding = bytes >= LargeFrom ? LargeRounding : SmallRounding;
        return Math.Max(rounding, (bytes + rounding - 1) / rounding * rounding);
    }

    /// <summary>A block of at least <paramref name="bytes"/> bytes (its size is <see cref="BlockSize"/>); contents undefined.</summary>
    public nint Rent(long bytes)
    {
        long size = BlockSize(bytes);
        lock (_gate)
            if (_free.TryGetValue(size, out var blocks) && blocks.TryPop(out nint cached)) return cached;
        device.MakeCurrent();
        nint pointer;
        int result = CudaDriver.MemAlloc(&pointer, (nuint)size);
        if (result == CudaDriver.ErrorOutOfMemory)
        {
            ReleaseCached();
            result = CudaDriver.MemAlloc(&pointer, (nuint)size);
        }
        CudaDriver.Check(result, $"cuMemAlloc_v2 ({size} bytes)");
        return pointer;
    }

    /// <summary>Keeps a block from <see cref="Rent"/> of <paramref name="bytes"/> requested bytes for reuse.</summary>
    public void Return(nint pointer, long bytes)
    {
        long size = BlockSize(bytes);
        lock (_gate)
        {
            if (!_free.TryGetValue(size, out var blocks)) _free[size] = blocks = new Stack<nint>();
            blocks.Push(pointer);
        }
    }

    /// <summary>Gives every cached block back to the driver (cuMemFree waits for the device).</summary>
    public void ReleaseCached()
    {
        device.MakeCurrent();
        lock (_gate)
        {
            foreach (var blocks in _free.Values)
                while (blocks.TryPop(out nint pointer)) CudaDriver.Check(CudaDriver.MemFree(pointer), "cuMemFree_v2");
        }
    }
}
