using System.Text.Json;
using Xunit;

namespace VggSharp.Tests.Cli;

public class BenchCommandTests
{
    private static readonly string[] Tiny = ["--config", "BN:8,M,16,M", "--input", "8", "--classes", "10", "--head", "small", "--hidden", "32"];

    [Fact]
    public void JsonHasThroughputPeakAndEveryLayer()
    {
        var result = CliRunner.Run([.. "bench --mode train --batch 4 --warmup 1 --iterations 3 --threads 2 --json".Split(' '), .. Tiny]);

        Assert.Equal("", result.Error);
        Assert.Equal(0, result.ExitCode);
        var root = JsonDocument.Parse(result.Output).RootElement;
        Assert.Equal("train", root.GetProperty("mode").GetString());
        Assert.Equal(4, root.GetProperty("batch").GetInt32());
        Assert.Equal(2, root.GetProperty("threads").GetInt32());
        Assert.Equal(3, root.GetProperty("seconds").GetArrayLength());
        double median = root.GetProperty("median_seconds").GetDouble();
        Assert.Equal(4 / median, root.GetProperty("images_per_second").GetDouble(), 6);
        // conv 3→8 at 8x8: 13,824; conv 8→16 at 4x4: 18,432; fc 64→32, 32→32, 32→10: 3,392; conv1_1 needs no backward-data.
        Assert.Equal(2L * (3 * (13_824 + 18_432 + 3_392) - 13_824) * 4, root.GetProperty("flops_per_iteration").GetInt64());
        var peak = root.GetProperty("peak");
        Assert.Equal(2, peak.GetProperty("threads").GetInt32());
        Assert.True(peak.GetProperty("all_threads_gflops").GetDouble() > 0);
        Assert.Equal(root.GetProperty("gflops_per_second").GetDouble() / peak.GetProperty("all_threads_gflops").GetDouble(),
            root.GetProperty("fraction_of_peak").GetDouble(), 9);
        var layers = root.GetProperty("layers").EnumerateArray().ToList();
        Assert.Equal("conv1_1", layers[0].GetProperty("role").GetString());
        Assert.Equal(13_824 * 4, layers[0].GetProperty("macs").GetInt64());
        Assert.True(layers[0].GetProperty("backward_filter_ms").GetDouble() > 0);
        Assert.Equal("fc8", layers[^1].GetProperty("role").GetString());
        Assert.True(root.GetProperty("update_ms").GetDouble() > 0);
    }

    [Fact]
    public void TextShowsTheFiguresAndTheBreakdown()
    {
        var result = CliRunner.Run([.. "bench --mode infer --batch 2 --warmup 0 --iterations 1".Split(' '), .. Tiny]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Inference (forward in evaluation mode), batch 2", result.Output);
        Assert.Contains("images/s", result.Output);
        Assert.Contains("% of the FMA peak", result.Output);
        Assert.Contains("conv2_1", result.Output);
        Assert.DoesNotContain("Backward-data", result.Output);
    }

    [Fact]
    public void PeakAloneProbesTheMachine()
    {
        var result = CliRunner.Run("bench", "--peak", "--threads", "1", "--json");

        Assert.Equal(0, result.ExitCode);
        var peak = JsonDocument.Parse(result.Output).RootElement.GetProperty("peak");
        Assert.Equal(1, peak.GetProperty("threads").GetInt32());
        Assert.Equal(peak.GetProperty("single_thread_gflops").GetDouble(), peak.GetProperty("all_threads_gflops").GetDouble());
    }

    [Theory]
    [InlineData(2, "bench", "--mode", "fly")]
    [InlineData(2, "bench", "--batch", "many")]
    [InlineData(1, "bench", "--batch", "0")]
    [InlineData(1, "bench", "--iterations", "0")]
    [InlineData(1, "bench", "--threads", "0")]
    [InlineData(1, "bench", "--threads", "100000")]
    [InlineData(1, "bench", "--width", "0.125", "--input", "32", "--batch", "1000000000")]
    [InlineData(1, "bench", "--width", "0.125", "--input", "32", "--mode", "infer", "--batch", "1000000000")]
    [InlineData(1, "bench", "--config", "D", "--input", "16")]
    public void BadArgumentsGiveOneErrorLine(int exitCode, params string[] args)
    {
        var result = CliRunner.Run(args);

        Assert.Equal(exitCode, result.ExitCode);
        Assert.Equal("", result.Output);
        Assert.Single(result.ErrorLines);
        Assert.StartsWith("error: ", result.Error);
    }
}
