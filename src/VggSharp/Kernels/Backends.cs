using VggSharp.Kernels.Fast;
using VggSharp.Kernels.Reference;
using VggSharp.Tensors;

namespace VggSharp.Kernels;

/// <summary>The backends available, and the one networks use unless told otherwise.</summary>
public static class Backends
{
    /// <summary>The plain-loop oracle.</summary>
    public static IBackend Reference { get; } = new ReferenceBackend();

    /// <summary>The vectorised, multi-threaded backend on all processors.</summary>
    public static IBackend Fast { get; } = new FastBackend();

    /// <summary>The backend new networks run on: <see cref="Fast"/> unless set otherwise.</summary>
    public static IBackend Default { get; set; } = Fast;

    /// <summary>
    /// The backend for <paramref name="device"/>: <see cref="Fast"/> for the CPU; for a CUDA device the CUDA backend in
    /// TF32 precision, created on first use (only then is any CUDA library loaded), or an
    /// <see cref="InvalidOperationException"/> with one line saying why the GPU is not usable.
    /// </summary>
    public static IBackend For(Device device) => device.IsHost ? Fast : Cuda.CudaBackend.Create(device.Index);
}
