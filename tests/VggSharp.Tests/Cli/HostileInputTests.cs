using System.Diagnostics;
using VggSharp.Interop;
using VggSharp.Interop.Numpy;
using VggSharp.Layers;
using VggSharp.Models;
using VggSharp.Tests.Interop;
using VggSharp.Training;
using Xunit;

namespace VggSharp.Tests.Cli;

/// <summary>The CLI tried as a hostile user would: each of these once ran silently, hung, crashed or lost a run.</summary>
public class HostileInputTests(EvaluationCliFixture fixture) : IClassFixture<EvaluationCliFixture>
{
    [Fact]
    public void AFlippedBitInACheckpointStopsTheResumeAndLeavesTheFile()
    {
        using var directory = new TemporaryDirectory();
        string run = directory.File("run");
        Assert.Equal(0, CliRunner.Run(TrainCommandTests.Small(run)).ExitCode);

        // Options a resumed run does not take are named, not silently dropped.
        var resumed = CliRunner.Run("train", "--resume", run, "--epochs", "5", "--lr", "0.5");
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.Contains("warning: --resume continues the run with the options it was started with; ignored: --epochs, --lr.", resumed.Output);

        string checkpoint = Checkpoint.PathIn(run);
        var bytes = File.ReadAllBytes(checkpoint);
        bytes[^100] ^= 0x40;
        File.WriteAllBytes(checkpoint, bytes);

        var result = CliRunner.Run("train", "--resume", run);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("the file is corrupt", result.SingleErrorLine());
        Assert.Equal(bytes, File.ReadAllBytes(checkpoint));
    }

    [Fact]
    public void ARunDirectoryInUseIsRefused()
    {
        using var directory = new TemporaryDirectory();
        string run = directory.File("run");
        using (RunDirectoryLock.Acquire(run))
        {
            var result = CliRunner.Run(TrainCommandTests.Small(run));
            Assert.Equal(1, result.ExitCode);
            Assert.Contains($"{run} is in use by another training run", result.SingleErrorLine());
            Assert.Equal([RunDirectoryLock.FileName], Directory.GetFileSystemEntries(run).Select(Path.GetFileName));
        }
    }

    [Fact]
    public void TheLockOfAKilledRunDiesWithIt()
    {
        using var directory = new TemporaryDirectory();
        string run = directory.File("run");
        // flock belongs to the process: a child holds it (flock(1), which keeps the lock from its command), is killed
        // with SIGKILL, and the directory is free at once.
        Directory.CreateDirectory(run);
        using var holder = Process.Start(new ProcessStartInfo("flock", ["--close", Path.Combine(run, RunDirectoryLock.FileName), "sleep", "60"]))!;
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (true)
            {
                try
                {
                    RunDirectoryLock.Acquire(run).Dispose();
                }
                catch (InvalidOperationException)
                {
                    break; // the child holds it now
                }
                Assert.True(DateTime.UtcNow < deadline, "the child never took the lock");
                Thread.Sleep(50);
            }
        }
        finally
        {
            holder.Kill(entireProcessTree: true);
            holder.WaitForExit();
        }
        RunDirectoryLock.Acquire(run).Dispose();
    }

    [Fact]
    public void FilesThatCannotBeWrittenAreSaidSoInOurWords()
    {
        using var directory = new TemporaryDirectory();
        string missingFolder = directory.File("none/model.safetensors"), aFile = directory.File("file");
        File.WriteAllText(aFile, "");

        var convert = CliRunner.Run("convert", fixture.Model, missingFolder);
        Assert.Equal($"error: Cannot write {missingFolder}: its folder does not exist, or a part of the path is not a folder.", convert.SingleErrorLine());

        var train = CliRunner.Run(TrainCommandTests.Small(aFile));
        Assert.Equal($"error: Cannot create the folder {aFile}: a file of that name exists.", train.SingleErrorLine());
    }

    [Theory]
    [InlineData(Trainer.ModelFileName)]
    [InlineData(MetricsLog.FileName)]
    public void ARunWithoutItsCheckpointIsNotOverwritten(string left)
    {
        using var directory = new TemporaryDirectory();
        string run = directory.File("run");
        Directory.CreateDirectory(run);
        File.WriteAllText(Path.Combine(run, left), "an earlier run's");

        var result = CliRunner.Run(TrainCommandTests.Small(run));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{run} holds {left} of an earlier run but no checkpoint", result.SingleErrorLine());
        Assert.Equal("an earlier run's", File.ReadAllText(Path.Combine(run, left)));
    }

    /// <summary>A model whose weights are finite but whose logits overflow to infinity.</summary>
    private string OverflowingModel()
    {
        string path = fixture.File($"overflow-{Guid.NewGuid():N}.safetensors");
        using var model = VggModelFile.Load(fixture.Model);
        foreach (var entry in model.State().Where(e => e.ElementType == StateElementType.Float32 && e.Key.StartsWith("classifier.")))
            System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(entry.Bytes).Fill(3e38f);
        VggModelFile.Save(model, path);
        return path;
    }

    [Theory]
    [InlineData("predict", "--json")]
    [InlineData("predict")]
    [InlineData("eval")]
    public void AnInfiniteOutputIsAnErrorNotAPrediction(string command, params string[] more)
    {
        string model = OverflowingModel();
        string[] args = command == "eval" ? ["eval", "-w", model, "--data", fixture.Data] : ["predict", "-w", model, fixture.Image, .. more];

        var result = CliRunner.Run(args);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("NaN or infinite", result.SingleErrorLine());
    }

    [Fact]
    public void ABatchBeyondTheMachinesMemoryIsRefusedBeforeAllocating()
    {
        var result = CliRunner.Run("eval", "-w", fixture.Model, "--data", fixture.Data, "--batch", "1000000000");

        Assert.Equal(1, result.ExitCode);
        Assert.Matches(@"^error: A batch of 1000000000 images needs about [0-9.]+ GiB for inference at this model's size, more than the [0-9.]+ GiB of memory here", result.SingleErrorLine());
    }

    [Fact]
    public void ANonFiniteInputArrayIsRefused()
    {
        using var directory = new TemporaryDirectory();
        var inputs = new float[2 * 3 * 16 * 16];
        inputs[3 * 16 * 16 + 5] = float.NaN;
        string input = directory.File("x.npy"), output = directory.File("logits.npy");
        NpyWriter.Write(input, [2, 3, 16, 16], inputs);

        var result = CliRunner.Run("predict", "-w", fixture.Model, "--input", input, "--output", output);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: {input}: image 1 holds NaN at element 5; inputs must be finite numbers", result.SingleErrorLine());
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task APipeAsWeightsIsRefusedWithoutBlocking()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var directory = new TemporaryDirectory();
        string pipe = directory.File("weights.safetensors");
        using (var mkfifo = Process.Start("mkfifo", [pipe])) mkfifo.WaitForExit();

        // Before, predict blocked for ever: WaitAsync gives up after 20 s.
        var result = await Task.Run(() => CliRunner.Run("predict", "-w", pipe, fixture.Image)).WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        Assert.Equal($"error: {pipe}: not a regular file (a named pipe)", result.SingleErrorLine());
    }
}
