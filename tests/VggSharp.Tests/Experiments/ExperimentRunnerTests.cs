using VggSharp.Experiments;
using VggSharp.Interop;
using VggSharp.Tests.Interop;
using VggSharp.Training;
using Xunit;

namespace VggSharp.Tests.Experiments;

public class ExperimentRunnerTests
{
    /// <summary>A miniature study: the paper's configurations at a sixteenth of its width, 128 training and 5 validation images (multi-crop takes 150 crops of each), one epoch.</summary>
    private static ExperimentOptions Miniature(string directory) => new()
    {
        Width = 0.0625, Epochs = 1, Seeds = 1, Limit = 128, ValidationLimit = 5, BatchSize = 32, Workers = 1, OutputDirectory = directory,
    };

    /// <summary>Collects the study's messages and cancels it after a number of training steps.</summary>
    private sealed class Recorder(CancellationTokenSource? cancel = null, int stopAfterSteps = 0) : IProgress<TrainingProgress>
    {
        private int _steps;

        public List<string> Messages { get; } = [];

        public void Report(TrainingProgress value)
        {
            if (value is TrainingProgress.Message m) Messages.Add(m.Text);
            if (value is TrainingProgress.StepFinished && ++_steps == stopAfterSteps) cancel!.Cancel();
        }
    }

    private static List<byte[]> Weights(StudyResult result) =>
        [.. result.Runs.SelectMany(run =>
        {
            using var model = VggModelFile.Load(Path.Combine(run.RunDirectory, Trainer.ModelFileName));
            return model.State().Select(e => e.Bytes.ToArray()).ToList();
        })];

    [Fact]
    public void AStoppedStudyContinuesWhereItStoppedToTheSameResults()
    {
        using var directory = new TemporaryDirectory();
        var straight = ExperimentRunner.Run(PaperTable.Table5, Miniature(Path.Combine(directory.Path, "straight")));

        var options = Miniature(Path.Combine(directory.Path, "stopped"));
        using var cancel = new CancellationTokenSource();
        // A takes 4 steps: the study stops in the middle of D's run, with A finished.
        Assert.ThrowsAny<OperationCanceledException>(() => ExperimentRunner.Run(PaperTable.Table5, options, new Recorder(cancel, stopAfterSteps: 6), cancel.Token));
        var recorder = new Recorder();
        var resumed = ExperimentRunner.Run(PaperTable.Table5, options, recorder);

        Assert.Contains(recorder.Messages, m => m.StartsWith("Reusing the finished run", StringComparison.Ordinal) && m.Contains("A-256-seed1", StringComparison.Ordinal));
        Assert.Contains(recorder.Messages, m => m.StartsWith("Resuming", StringComparison.Ordinal) && m.Contains("D-256_512-seed1", StringComparison.Ordinal));
        Assert.Equal(Weights(straight), Weights(resumed));
        Assert.Equal(straight.Rows.Select(r => r.Seeds[0] with { Seconds = 0 }), resumed.Rows.Select(r => r.Seeds[0] with { Seconds = 0 }));

        // Table 5: D and E under three protocols, each evaluated on the 5 images; its conclusion drawn.
        Assert.Equal(6, resumed.Rows.Count);
        Assert.All(resumed.Rows, r => Assert.Equal(5, Assert.Single(r.Seeds).Images));
        Assert.Single(resumed.Conclusions);
        string markdown = File.ReadAllText(resumed.MarkdownPath);
        Assert.All(resumed.Rows, r => Assert.Contains($"| {r.Row.Label} | {r.Row.LabelForCrop(32)} | {r.Row.ProtocolName} |", markdown));
        string html = File.ReadAllText(resumed.ReportPath);
        Assert.Contains("runs/E-256_512-seed1/report.html", html);
        Assert.DoesNotContain("<svg", html);
    }

    [Fact]
    public void AFinishedStudyIsReusedAKeptEvaluationThatCannotBeTrustedIsRedoneAndOtherSettingsAreRefused()
    {
        using var directory = new TemporaryDirectory();
        var options = Miniature(directory.Path) with { Seeds = 2 };
        var first = ExperimentRunner.Run(PaperTable.Table6, options);
        Assert.Equal(9, first.Rows.Count);
        Assert.Equal(2, first.Conclusions.Count);
        Assert.Contains("| D/[256;512]/256,384,512 + E/[256;512]/256,384,512 | D/[37;73]/37,55,73 + E/[37;73]/37,55,73 | multi-crop & dense |",
            File.ReadAllText(first.MarkdownPath));

        string kept = Directory.GetFiles(Path.Combine(directory.Path, ExperimentRunner.EvaluationsFolder), "table6-d-256_512+e-256_512-multi-multicrop-first5-seed2.json").Single();
        File.WriteAllText(kept, "{\"Seed\":2,\"Top1Error\":7");
        var recorder = new Recorder();
        var again = ExperimentRunner.Run(PaperTable.Table6, options, recorder);
        Assert.All(again.Runs, run => Assert.True(run.Reused));
        Assert.Single(recorder.Messages, m => m.StartsWith("Evaluating", StringComparison.Ordinal));
        Assert.Contains(recorder.Messages, m => m.Contains("is not an evaluation", StringComparison.Ordinal));
        Assert.Equal(first.Rows.SelectMany(r => r.Seeds.Select(s => s.Top1Error)), again.Rows.SelectMany(r => r.Seeds.Select(s => s.Top1Error)));
        Assert.All(again.Rows, r => Assert.Equal(2, r.Top1.Count));

        // Fewer images for the evaluations alone: the same networks, evaluated again.
        var fewer = ExperimentRunner.Run(PaperTable.Table6, options with { EvaluationLimit = 3 });
        Assert.All(fewer.Runs, run => Assert.True(run.Reused));
        Assert.All(fewer.Rows, r => Assert.All(r.Seeds, s => Assert.Equal(3, s.Images)));

        var e = Assert.Throws<ArgumentException>(() => ExperimentRunner.Run(PaperTable.Table6, options with { Width = 0.125 }));
        Assert.Contains("other settings", e.Message);
        File.WriteAllBytes(Path.Combine(directory.Path, "study.json"), new byte[100_000]);
        Assert.Throws<InvalidDataException>(() => ExperimentRunner.Run(PaperTable.Table6, options));
    }
}
