using System.Diagnostics;
using System.Text.RegularExpressions;
using VggSharp.Interop;
using Xunit;

namespace VggSharp.Tests.Cli;

public class TrainCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "vggsharp-train-cli-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    /// <summary>A network and data small enough for an epoch in about a second.</summary>
    internal static string[] Small(string output, params string[] more) =>
    [
        "train", "--config", "BN:8,M,16,M,32,M", "--width", "1", "--hidden", "32", "--input", "16", "--scale-min", "16", "--scale-max", "20",
        "--batch", "32", "--limit", "640", "--val-limit", "200", "--epochs", "2", "--workers", "1", "--out", output, .. more,
    ];

    private static List<byte[]> Weights(string run)
    {
        using var model = VggModelFile.Load(Path.Combine(run, "model.safetensors"));
        return model.State().Select(e => e.Bytes.ToArray()).ToList();
    }

    [Fact]
    public void TrainPrintsWhereTheReportIsAndRefusesToOverwriteARun()
    {
        string run = Path.Combine(_root, "run");
        var result = CliRunner.Run(Small(run));
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains($"Report: {Path.Combine(run, "report.html")}", result.Output);
        Assert.Contains("epoch 2/2 done", result.Output);

        var again = CliRunner.Run(Small(run));
        Assert.Equal(1, again.ExitCode);
        Assert.Single(again.ErrorLines);
        Assert.Contains("--resume", again.Error);
    }

    [Theory]
    [InlineData("--data", "/nonexistent/folder")]
    [InlineData("--init", "random")]
    [InlineData("--scale-min", "8")]
    [InlineData("--resume", "/nonexistent/run")]
    public void BadOptionsGiveOneErrorLine(string option, string value)
    {
        var result = CliRunner.Run(Small(Path.Combine(_root, "bad"), option, value));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Single(result.ErrorLines);
        Assert.StartsWith("error:", result.ErrorLines[0]);
    }

    [Fact]
    public void HelpShowsTheMainJobsArchitectureAndLeavesClassesAndChannelsToTheData()
    {
        var help = CliRunner.Run("train", "--help");

        Assert.Equal(0, help.ExitCode);
        // An option's entry up to the next option's line, on one line however the help wraps it.
        string Entry(string option) => Regex.Replace(Regex.Match(help.Output, $@"^ *(-\w, )?{option} .*?(?=^ *-|\z)",
            RegexOptions.Multiline | RegexOptions.Singleline).Value, @"\s+", " ");
        Assert.EndsWith("[default: D-BN] ", Entry("--config"));
        Assert.EndsWith("[default: 0.25] ", Entry("--width"));
        Assert.EndsWith("[default: small] ", Entry("--head"));
        Assert.EndsWith("[default: 32] ", Entry("--input"));
        Assert.EndsWith("[default: glorot] ", Entry("--init"));
        Assert.DoesNotContain("--classes", help.Output);
        Assert.DoesNotMatch(@"--channels\b(?!-last)", help.Output);
    }

    [Theory]
    [InlineData("--head must be one of paper, small, got 'big'.", "--head", "big")]
    [InlineData("--init must be one of paper, glorot, kaiming, got '2'.", "--init", "2")]
    public void ABadChoiceNamesTheOptionAndItsValues(string expected, string option, string value)
    {
        var result = CliRunner.Run(Small(Path.Combine(_root, "bad"), option, value));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, Assert.Single(result.ErrorLines));
        Assert.False(Directory.Exists(Path.Combine(_root, "bad")));
    }

    [Fact]
    public void ARunKilledWithSigkillResumesToTheSameWeightsAsAnUninterruptedRun()
    {
        string straight = Path.Combine(_root, "straight"), killed = Path.Combine(_root, "killed");
        Assert.Equal(0, CliRunner.Run(Small(straight)).ExitCode);

        // The real program in its own process, killed without warning once its first epoch's checkpoint is on disk.
        string cli = Path.Combine(AppContext.BaseDirectory, "vggsharp.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(cli);
        foreach (string arg in Small(killed)) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        string checkpoint = Path.Combine(killed, "checkpoint.safetensors");
        while (!File.Exists(checkpoint) && !process.HasExited && deadline.Elapsed < TimeSpan.FromMinutes(2)) Thread.Sleep(5);
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.WaitForExit();
        Assert.True(File.Exists(checkpoint), "the first epoch's checkpoint never appeared");

        var resumed = CliRunner.Run("train", "--resume", killed);
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.Equal(Weights(straight), Weights(killed));
    }
}
