using System.Diagnostics;
using VggSharp.Kernels;
using VggSharp.Tensors;
using Xunit;

namespace VggSharp.Tests.Kernels.Cuda;

/// <summary>CPU runs never load a CUDA library: the CLI with --device cpu, watched by the dynamic loader (LD_DEBUG=libs).</summary>
public class CudaIsolationTests
{
    [Fact]
    public void TheCpuDeviceIsTheFastBackend() => Assert.Same(Backends.Fast, Backends.For(Device.Cpu));

    [Fact]
    public async Task ACpuTrainingStepLoadsNoCudaLibrary()
    {
        // The CLI runs in a process of its own under the dotnet host; a self-contained test build (the GPU machine's) has none.
        bool hasDotnet = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(folder => File.Exists(Path.Combine(folder, "dotnet")));
        Assert.SkipUnless(hasDotnet, "no dotnet host on PATH to run the CLI with");
        string cli = Path.Combine(AppContext.BaseDirectory, "vggsharp.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { cli, "bench", "--config", "A", "--input", "32", "--width", "0.125", "--classes", "10", "--batch", "2",
                "--warmup", "0", "--iterations", "1", "--device", "cpu" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["LD_DEBUG"] = "libs";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        string loaderLog = await error;
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {output}");
        Assert.Contains("calling init", loaderLog);
        foreach (string library in new[] { "libcuda.so", "libcudart", "libcublas", "libcudnn", "libnvrtc" })
            Assert.DoesNotContain(library, loaderLog);
    }
}
