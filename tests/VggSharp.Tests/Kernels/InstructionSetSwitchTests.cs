using System.Runtime.Intrinsics;
using Xunit;

namespace VggSharp.Tests.Kernels;

/// <summary>
/// test.sh runs the kernel tests again with the runtime's switches for AVX-512 and AVX2 turned off, so the Vector256
/// and Vector128 paths are checked against the reference kernels too. This fails if a switch stops taking effect (the
/// .NET 10 runtime ignores the older DOTNET_EnableAVX512F, for one), which would leave those paths silently untested.
/// </summary>
public class InstructionSetSwitchTests
{
    [Fact]
    public void TheInstructionSetSwitchesNarrowTheVectors()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX512") == "0") Assert.False(Vector512.IsHardwareAccelerated);
        if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX2") == "0") Assert.False(Vector256.IsHardwareAccelerated);
    }
}
