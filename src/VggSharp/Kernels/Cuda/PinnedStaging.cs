namespace VggSharp.Kernels.Cuda;

/// <summary>
/// Uploads through a ring of page-locked host memory, so that a host-to-device copy is asynchronous (the caller's
/// memory is copied into the ring and may be reused at once) and overlaps the work queued before it. Each upload
/// records an event; a part of the ring is written again only once the copy that last read it has finished, which
/// is a wait only when the ring has gone round while that copy was still queued. Uploads larger than the ring are
/// copied directly and waited for.
/// </summary>
internal sealed unsafe class PinnedStaging(CudaDevice device, long capacity)
{
    private readonly Lock _gate = new();
    private readonly List<(long Start, long Length, nint Event)> _inFlight = [];
    private readonly Stack<nint> _idleEvents = new();
    private byte* _ring;
    private long _head;

    /// <summary>Copies <paramref name="source"/> to device address <paramref name="destination"/>, in stream order.</summary>
    public void Upload(nint destination, ReadOnlySpan<byte> source)
    {
        if (source.IsEmpty) return;
        device.MakeCurrent();
        if (source.Length > capacity)
        {
            fixed (byte* pointer = source)
            {
                CudaDriver.Check(CudaDriver.MemcpyHtoDAsync(destination, pointer, (nuint)source.Length, device.Stream), "cuMemcpyHtoDAsync_v2");
                CudaDriver.Check(CudaDriver.StreamSynchronize(device.Stream), "cuStreamSynchronize");
            }
            return;
        }
        lock (_gate)
        {
            if (_ring == null)
            {
                void* ring;
                CudaDriver.Check(CudaDriver.MemAllocHost(&ring, (nuint)capacity), $"cuMemAllocHost_v2 ({capacity} bytes)");
                _ring = (byte*)ring;
            }
            long start = _head + source.Length > capacity ? 0 : _head;
            WaitUntilFree(start, source.Length);
            source.CopyTo(new Span<byte>(_ring + start, source.Length));
            CudaDriver.Check(CudaDriver.MemcpyHtoDAsync(destination, _ring + start, (nuint)source.Length, device.Stream), "cuMemcpyHtoDAsync_v2");
            nint done = _idleEvents.Count > 0 ? _idleEvents.Pop() : CreateEvent();
            CudaDriver.Check(CudaDriver.EventRecord(done, device.Stream), "cuEventRecord");
            _inFlight.Add((start, source.Length, done));
            _head = start + source.Length;
        }
    }

    /// <summary>Waits for the copies still reading [start, start + length) of the ring; events finish in stream order.</summary>
    private void WaitUntilFree(long start, long length)
    {
        int last = _inFlight.FindLastIndex(r => r.Start < start + length && start < r.Start + r.Length);
        if (last < 0) return;
        CudaDriver.Check(CudaDriver.EventSynchronize(_inFlight[last].Event), "cuEventSynchronize");
        for (int i = 0; i <= last; i++) _idleEvents.Push(_inFlight[i].Event);
        _inFlight.RemoveRange(0, last + 1);
    }

    private static nint CreateEvent()
    {
        nint created;
        CudaDriver.Check(CudaDriver.EventCreate(&created, CudaDriver.EventDisableTiming), "cuEventCreate");
        return created;
    }
}
