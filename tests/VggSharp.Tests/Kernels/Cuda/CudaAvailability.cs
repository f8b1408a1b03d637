using VggSharp.Kernels.Cuda;

namespace VggSharp.Tests.Kernels.Cuda;

/// <summary>Whether this machine can run the CUDA tests, probed once: null when it can, else why not (the skip reason).</summary>
public static class CudaAvailability
{
    private static readonly Lazy<string?> GpuProblem = new(() => Probe(() => CudaBackend.Create(0, CudaPrecision.Fp32)));
    private static readonly Lazy<string?> CompilerProblem = new(() => Probe(() =>
    {
        CudaLibraryResolver.Register();
        CudaLibraryResolver.Load(CudaLibraryNames.Rtc);
    }));

    /// <summary>Why the GPU tests cannot run here, or null when a CUDA device is usable.</summary>
    public static string? WhyNoGpu => GpuProblem.Value;

    /// <summary>Why NVRTC cannot compile here, or null when it can.</summary>
    public static string? WhyNoCompiler => CompilerProblem.Value;

    private static string? Probe(Action attempt)
    {
        try
        {
            attempt();
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or DllNotFoundException or EntryPointNotFoundException)
        {
            return e.Message.ReplaceLineEndings(" ");
        }
    }
}
