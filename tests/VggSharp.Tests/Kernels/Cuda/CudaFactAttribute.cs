using System.Runtime.CompilerServices;
using Xunit;

namespace VggSharp.Tests.Kernels.Cuda;

/// <summary>A test that needs a usable CUDA device: reported as skipped, with the reason, where there is none.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when no CUDA device is usable.</summary>
    public CudaFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        if (CudaAvailability.WhyNoGpu is { } reason) Skip = $"No usable CUDA device: {reason}";
    }
}
