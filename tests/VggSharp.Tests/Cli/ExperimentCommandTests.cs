using VggSharp.Tests.Interop;
using Xunit;

namespace VggSharp.Tests.Cli;

public class ExperimentCommandTests
{
    /// <summary>CI's miniature of Table 3: every configuration at a sixteenth of the paper's width, 128 images, one epoch, two seeds.</summary>
    [Fact]
    public void TheMiniatureTable3StudyRunsEndToEnd()
    {
        using var directory = new TemporaryDirectory();
        var result = CliRunner.Run("experiment", "table3", "--width", "0.0625", "--epochs", "1", "--limit", "128", "--val-limit", "10",
            "--batch", "32", "--workers", "1", "--device", "cpu", "--out", directory.Path);
        Assert.True(result.ExitCode == 0, result.Error);

        var tableLines = result.Output.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal) && l.Contains(" | dense | ", StringComparison.Ordinal)).ToList();
        Assert.Equal(12, tableLines.Count);
        Assert.Contains("| D/[256;512]/384 | D/[37;73]/55 | dense | 25.6 | 8.1 | ", result.Output);
        Assert.All(tableLines, l => Assert.Matches(@"\| \d+\.\d\d ± \d+\.\d\d \| \d+\.\d\d ± \d+\.\d\d \|", l));
        Assert.Contains("LRN", result.Output);
        Assert.Equal(24, Directory.GetDirectories(Path.Combine(directory.Path, "runs")).Count(d => File.Exists(Path.Combine(d, "model.safetensors"))));
        Assert.Equal(24, Directory.GetFiles(Path.Combine(directory.Path, "evaluations")).Length);
        string html = File.ReadAllText(Path.Combine(directory.Path, "table3.html"));
        Assert.Contains("<svg", html);
        Assert.Contains("vggsharp experiment table3 --width 0.0625", html);
        Assert.Equal(File.ReadAllText(Path.Combine(directory.Path, "table3.md")), result.Output[result.Output.IndexOf("### ", StringComparison.Ordinal)..result.Output.IndexOf("Report:", StringComparison.Ordinal)]);
    }

    [Theory]
    [InlineData(2, "experiment", "table7")]
    [InlineData(1, "experiment", "table3", "--seeds", "0")]
    [InlineData(1, "experiment", "table3", "--data", "/no/such/folder")]
    public void BadArgumentsGiveOneErrorLine(int exitCode, params string[] args)
    {
        using var directory = new TemporaryDirectory();
        var result = CliRunner.Run([.. args, "--out", Path.Combine(directory.Path, "study")]);
        Assert.Equal(exitCode, result.ExitCode);
        result.SingleErrorLine();
    }
}
