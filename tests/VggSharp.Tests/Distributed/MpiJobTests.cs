using System.Diagnostics;
using System.Text;
using VggSharp.Interop;
using VggSharp.Tests.Cli;
using VggSharp.Training;
using Xunit;

namespace VggSharp.Tests.Distributed;

/// <summary>
/// Real Open MPI jobs: <c>mpirun -np 2</c> running the vggsharp program on this machine (scripts/setup.sh installs
/// openmpi-bin; CI runs as root, hence OMPI_ALLOW_RUN_AS_ROOT, and may have fewer cores than ranks, hence --oversubscribe).
/// </summary>
public class MpiJobTests(MpiJobTests.Runs runs) : IClassFixture<MpiJobTests.Runs>
{
    /// <summary>20 steps of 32 images (synchronised batch norm, dropout in the head), short enough for rounding to stay rounding.</summary>
    private static string[] Short(string output) =>
    [
        "train", "--config", "BN:8,M,16,M,32,M", "--width", "1", "--hidden", "32", "--input", "16", "--scale-min", "16", "--scale-max", "20",
        "--batch", "32", "--limit", "640", "--val-limit", "200", "--epochs", "1", "--workers", "1", "--out", output,
    ];

    /// <summary>Three epochs of a larger network, long enough to stop a rank while the job runs.</summary>
    private static string[] Long(string output, params string[] more) =>
    [
        "train", "--config", "BN:16,M,32,M,64,M", "--width", "1", "--hidden", "32", "--input", "32", "--scale-min", "32", "--scale-max", "36",
        "--batch", "32", "--limit", "640", "--val-limit", "100", "--epochs", "3", "--workers", "1", "--out", output, .. more,
    ];

    /// <summary>The runs several tests compare against, made once: one process, the same job on two ranks, and the long job uninterrupted.</summary>
    public sealed class Runs : IDisposable
    {
        public Runs()
        {
            Single = CliRunner.Run(Short(Path.Combine(Root, "single")));
            Job = Mpirun(Short(Path.Combine(Root, "job"))).Finish(TimeSpan.FromMinutes(2));
            LongJob = Mpirun(Long(Path.Combine(Root, "long"))).Finish(TimeSpan.FromMinutes(2));
        }

        public string Root { get; } = Path.Combine(Path.GetTempPath(), "vggsharp-mpi-" + Guid.NewGuid().ToString("N"));

        public CliResult Single { get; }

        public JobResult Job { get; }

        public JobResult LongJob { get; }

        public void Dispose()
        {
            if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
        }
    }

    [Fact]
    public void TwoRanksEndWithTheWeightsOfOneProcessAndOnlyRankZeroWrites()
    {
        Assert.True(runs.Single.ExitCode == 0, runs.Single.Error);
        Assert.True(runs.Job.ExitCode == 0, runs.Job.Output);
        string single = Path.Combine(runs.Root, "single", Trainer.ModelFileName), job = Path.Combine(runs.Root, "job", Trainer.ModelFileName);
        double difference = DataParallelTrainingTests.Difference(single, job);
        Assert.True(difference < 1e-4, $"two ranks' weights differ from one process's by {difference:E2}");

        // Rank 0 alone printed and wrote: one summary, the run directory's files once, metrics that know the job.
        Assert.Equal(1, Occurrences(runs.Job.Output, "Finished after 1 epochs"));
        Assert.Equal(1, Occurrences(runs.Job.Output, "Data-parallel training on 2 processes"));
        Assert.Equal([RunDirectoryLock.FileName, "checkpoint.safetensors", "metrics.jsonl", "model.safetensors", "report.html"],
            Directory.GetFiles(Path.Combine(runs.Root, "job")).Select(Path.GetFileName).Order());
        string metrics = File.ReadAllText(Path.Combine(runs.Root, "job", MetricsLog.FileName));
        Assert.Contains("\"ranks\":2", metrics);
        Assert.Contains("\"communication_seconds_per_step\":", metrics);
        Assert.Contains("\"batch_norm_seconds_per_step\":", metrics);
        Assert.DoesNotContain("\"ranks\"", File.ReadAllText(Path.Combine(runs.Root, "single", MetricsLog.FileName)));
        Assert.Contains("processes", File.ReadAllText(Path.Combine(runs.Root, "job", TrainingReport.FileName)));
    }

    [Fact]
    public void APlainRunNeverLoadsLibmpi()
    {
        Assert.Equal(0, runs.Single.ExitCode);
        Assert.DoesNotContain("libmpi", File.ReadAllText("/proc/self/maps"));
    }

    [Fact]
    public void ARankKilledMidRunEndsTheJobAndTheRunResumesToTheUninterruptedJobsWeights()
    {
        Assert.True(runs.LongJob.ExitCode == 0, runs.LongJob.Output);
        string run = Path.Combine(runs.Root, "killed");
        SignalRankOneAfterTheFirstCheckpoint(run, "KILL", Long(run));

        var resumed = Mpirun(["train", "--resume", run]).Finish(TimeSpan.FromMinutes(2));
        Assert.True(resumed.ExitCode == 0, resumed.Output);
        Assert.Contains("Resuming", resumed.Output);
        Assert.Equal(Weights(Path.Combine(runs.Root, "long")), Weights(run));
    }

    [Fact]
    public void AHungRankEndsTheJobWithAClearMessageAfterTheTimeoutAndTheCheckpointStaysUsable()
    {
        string run = Path.Combine(runs.Root, "hung");
        // Long enough for the set-up, in which ranks wait while rank 0 reads the data statistics, on a busy machine.
        var result = SignalRankOneAfterTheFirstCheckpoint(run, "STOP", Long(run, "--mpi-timeout", "8"));
        Assert.Contains("error: rank 0 of 2", result.Output);
        Assert.Contains("a rank is hung, stopped or dead", result.Output);
        using var checkpoint = Checkpoint.Load(run);
        Assert.True(checkpoint.Position.Epoch >= 1);
    }

    [Theory]
    [InlineData("--mpi-timeout", "0")]
    [InlineData("--bucket-mb", "-1")]
    public void BadDistributedOptionsGiveOneErrorLine(string option, string value)
    {
        var result = CliRunner.Run([.. Short(Path.Combine(runs.Root, "bad")), option, value]);
        Assert.Equal(1, result.ExitCode);
        Assert.Single(result.ErrorLines);
        Assert.StartsWith("error: " + option, result.ErrorLines[0]);
    }

    /// <summary>Starts a job, signals rank 1 once the first checkpoint exists, and checks the whole job then fails within 30 s.</summary>
    private static JobResult SignalRankOneAfterTheFirstCheckpoint(string run, string signal, string[] args)
    {
        using var job = Mpirun(args);
        job.WaitForFile(Path.Combine(run, Checkpoint.FileName));
        job.Signal(rank: 1, signal);
        var stopped = Stopwatch.StartNew();
        var result = job.Finish(TimeSpan.FromMinutes(1));
        Assert.NotEqual(0, result.ExitCode);
        Assert.True(stopped.Elapsed < TimeSpan.FromSeconds(30), $"the job took {stopped.Elapsed} to stop");
        return result;
    }

    private static int Occurrences(string text, string what) => text.Split(what).Length - 1;

    private static List<byte[]> Weights(string run)
    {
        using var model = VggModelFile.Load(Path.Combine(run, Trainer.ModelFileName));
        return model.State().Select(e => e.Bytes.ToArray()).ToList();
    }

    /// <summary>Starts <c>mpirun -np 2 dotnet vggsharp.dll <paramref name="args"/></c>.</summary>
    private static MpiJob Mpirun(string[] args)
    {
        var start = new ProcessStartInfo("mpirun") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1";
        start.Environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1";
        foreach (string arg in (string[])["--oversubscribe", "-np", "2", "dotnet", Path.Combine(AppContext.BaseDirectory, "vggsharp.dll"), .. args])
            start.ArgumentList.Add(arg);
        try
        {
            return new MpiJob(Process.Start(start)!);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("mpirun is not installed: run scripts/setup.sh (Debian's openmpi-bin).", e);
        }
    }

    public sealed record JobResult(int ExitCode, string Output);

    /// <summary>A running mpirun, its output (standard output and error together) collected as it comes.</summary>
    private sealed class MpiJob : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();

        public MpiJob(Process process)
        {
            _process = process;
            process.OutputDataReceived += (_, e) => Append(e.Data);
            process.ErrorDataReceived += (_, e) => Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public void WaitForFile(string path)
        {
            var deadline = Stopwatch.StartNew();
            while (!File.Exists(path) && !_process.HasExited && deadline.Elapsed < TimeSpan.FromMinutes(1)) Thread.Sleep(5);
            Assert.True(File.Exists(path) && !_process.HasExited, $"{path} did not appear while the job ran: {Output}");
        }

        /// <summary>Sends a signal to the rank's process, found among mpirun's children by the rank mpirun gave it.</summary>
        public void Signal(int rank, string signal)
        {
            int pid = RankProcess(rank);
            using var kill = Process.Start("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
            Assert.Equal(0, kill.ExitCode);
        }

        public JobResult Finish(TimeSpan timeout)
        {
            if (!_process.WaitForExit(timeout))
            {
                _process.Kill(entireProcessTree: true);
                Assert.Fail($"mpirun was still running after {timeout}: {Output}");
            }
            _process.WaitForExit();
            return new JobResult(_process.ExitCode, Output);
        }

        public void Dispose()
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.Dispose();
        }

        private string Output
        {
            get
            {
                lock (_output) return _output.ToString();
            }
        }

        private void Append(string? line)
        {
            if (line is null) return;
            lock (_output) _output.AppendLine(line);
        }

        private int RankProcess(int rank)
        {
            string wanted = $"OMPI_COMM_WORLD_RANK={rank}";
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
                foreach (string directory in Directory.GetDirectories("/proc"))
                {
                    if (!int.TryParse(Path.GetFileName(directory), out int pid)) continue;
                    try
                    {
                        string stat = File.ReadAllText(Path.Combine(directory, "stat"));
                        // The parent pid is the second field after the command name, which ends with the last ')'.
                        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                        if (int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) != _process.Id) continue;
                        if (File.ReadAllText(Path.Combine(directory, "environ")).Split('\0').Contains(wanted)) return pid;
                    }
                    catch (IOException)
                    {
                        // The process ended while we looked.
                    }
                }
                Thread.Sleep(10);
            }
            throw new InvalidOperationException($"No process of rank {rank} under mpirun {_process.Id}.");
        }
    }
}
