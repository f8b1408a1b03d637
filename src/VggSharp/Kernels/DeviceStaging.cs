using VggSharp.Tensors;

namespace VggSharp.Kernels;

/// <summary>
/// Data brought to a backend's device through a buffer reused from call to call: host data (a loader's batch,
/// evaluation crops) to a GPU, or, with a host backend, a device's results (logits) back to the host.
/// </summary>
internal static class DeviceStaging
{
    /// <summary>
    /// <paramref name="source"/> itself when it lives on the backend's device already; otherwise a copy of it in the
    /// first items of <paramref name="buffer"/>, which is allocated on the device when missing or too small.
    /// </summary>
    public static Tensor OnDevice(this IBackend backend, Tensor source, ref Tensor? buffer)
    {
        if (source.Device == backend.Device) return source;
        int items = source.Shape.N;
        if (buffer is null || buffer.Device != backend.Device || buffer.Shape.N < items || buffer.Shape.WithBatch(items) != source.Shape)
        {
            buffer?.Dispose();
            buffer = backend.Allocate(source.Shape);
        }
        var target = buffer.FirstItems(items);
        target.CopyFrom(source);
        return target;
    }
}
