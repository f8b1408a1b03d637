using VggSharp.Kernels.Fast;
using VggSharp.Kernels.Reference;
using VggSharp.Tensors;

namespace VggSharp.Kernels;

/// <summary>The backends available, and the one networks use unless told otherwise.</summary>
public static class Backends
{
    private static readonly Lock CudaLock = new();
    private static readonly Dictionary<int, IBackend> CudaBackends = [];

    /// <summary>The plain-loop oracle.</summary>
    public static IBackend Reference { get; } = new ReferenceBackend();

    /// <summary>The vectorised, multi-threaded backend on all processors.</summary>
    public static IBackend Fast { get; } = new FastBackend();

    /// <summary>The backend new networks run on: <see cref="Fast"/> unless set otherwise.</summary>
    public static IBackend Default { get; set; } = Fast;

    /// <summary>
    /// Creates the GPU backend for a device index; set by the CUDA backend's code, so that this folder's CPU code does
    /// not depend on it and CPU-only runs never load a CUDA library. Null in a build without one.
    /// </summary>
    internal static Func<int, IBackend>? CudaFactory { get; set; }

    /// <summary>
    /// The backend for <paramref name="device"/>: <see cref="Fast"/> for the host; for a GPU, its backend, created on
    /// first use. Throws <see cref="InvalidOperationException"/> when there is no usable GPU of that index.
    /// </summary>
    public static IBackend For(Device device)
    {
        if (device.IsHost) return Fast;
        lock (CudaLock)
        {
            if (CudaBackends.TryGetValue(device.Index, out var backend)) return backend;
            var factory = CudaFactory ?? throw new InvalidOperationException($"Cannot run on {device}: this build of VggSharp has no CUDA backend.");
            return CudaBackends[device.Index] = factory(device.Index);
        }
    }
}
