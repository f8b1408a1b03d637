using System.Runtime.CompilerServices;
using Xunit;

namespace VggSharp.Tests.Kernels.Cuda;

/// <summary>A test that needs NVRTC (no GPU): reported as skipped, with the reason, where NVRTC is not installed.</summary>
public sealed class NvrtcFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when NVRTC cannot be loaded.</summary>
    public NvrtcFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        if (CudaAvailability.WhyNoCompiler is { } reason) Skip = $"NVRTC is not usable: {reason}";
    }
}
