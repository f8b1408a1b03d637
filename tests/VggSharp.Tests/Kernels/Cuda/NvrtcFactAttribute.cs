using Xunit;

namespace VggSharp.Tests.Kernels.Cuda;

/// <summary>A test that needs NVRTC (no GPU): reported as skipped, with the reason, where NVRTC is not installed.</summary>
public sealed class NvrtcFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when NVRTC cannot be loaded.</summary>
    public NvrtcFactAttribute()
    {
        if (CudaAvailability.WhyNoCompiler is { } reason) Skip = $"NVRTC is not usable: {reason}";
    }
}
