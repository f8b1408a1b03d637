using System.Text.Json;
using VggSharp.Interop;
using VggSharp.Models;
using VggSharp.Tests.Cli;
using VggSharp.Tests.Data;
using VggSharp.Training;
using Xunit;

namespace VggSharp.Tests.Training;

/// <summary>End-to-end training on real Fashion-MNIST images (Debian's dataset-fashion-mnist), kept small for CI.</summary>
public class TrainerTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "vggsharp-trainer-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    /// <summary>A small BN network on 16x16 crops of images rescaled to [16, 20]: seconds per epoch on 2 cores.</summary>
    private TrainingOptions Small(string name, int limit = 512, int epochs = 2, double learningRate = 0.05, string configuration = "BN:8,M,16,M,32,M",
        int hiddenUnits = 64) => new()
    {
        Schedule = new TrainingOptions().Schedule with { InitialLearningRate = learningRate, MaxEpochs = epochs },
        Augmentation = new() { MinScale = 16, MaxScale = 20 },
        Loader = new() { BatchSize = 32, Limit = limit, Workers = 2 },
        ValidationLimit = 256, Seed = 3, OutputDirectory = Path.Combine(_root, name),
        Source = new TrainingSource { Model = new TrainingSource().Model with { Configuration = configuration, WidthMultiplier = 1, HiddenUnits = hiddenUnits, InputSize = 16 } },
    };

    private static ProgressReporter Quiet(TextWriter? writer = null, int? everySteps = null) =>
        new(writer ?? TextWriter.Null, isTerminal: false, new ProgressReporterOptions { PlainEverySteps = everySteps });

    private static List<byte[]> Weights(string modelPath)
    {
        using var model = VggModelFile.Load(modelPath);
        return model.State().Select(e => e.Bytes.ToArray()).ToList();
    }

    [Fact]
    public void AShortRealDataRunClearlyLearnsAndWritesTheRunDirectory()
    {
        // Chance is 90% error; a few hundred steps of a small net must do far better.
        var options = Small("learn", limit: 6000, epochs: 3, learningRate: 0.02, hiddenUnits: 128) with { ValidationLimit = 1000 };
        var result = TrainingLaunch.Start(options, Quiet());
        Assert.True(result.ValidationTop1Error < 0.4, $"validation top-1 error {result.ValidationTop1Error:P1} after 3 epochs on 6000 images");
        foreach (string file in new[] { "model.safetensors", "checkpoint.safetensors", "metrics.jsonl", "report.html" })
            Assert.True(File.Exists(Path.Combine(options.OutputDirectory, file)), file);
        var lines = File.ReadAllLines(Path.Combine(options.OutputDirectory, "metrics.jsonl"));
        Assert.Equal(3, lines.Length);
        using var last = JsonDocument.Parse(lines[^1]);
        foreach (string field in new[] { "epoch", "train_loss", "val_top1_error", "val_top5_error", "lr", "images_per_second", "seconds" })
            Assert.True(last.RootElement.TryGetProperty(field, out _), field);
        Assert.InRange(last.RootElement.GetProperty("val_top1_error").GetDouble(), 0, 1);
        // Where an epoch's time went: the loader's waits are part of the training seconds, validation comes after.
        Assert.InRange(last.RootElement.GetProperty("loader_wait_seconds").GetDouble(), 0, last.RootElement.GetProperty("seconds").GetDouble());
        Assert.True(last.RootElement.GetProperty("validation_seconds").GetDouble() > 0);
        Assert.Equal("Ankle boot", VggModelFile.ReadClassNames(result.ModelPath)![9]);
        Assert.Contains("<svg", File.ReadAllText(result.ReportPath));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(16)]
    public void ARunStoppedAndResumedEndsWithTheSameBitsAsAnUninterruptedOne(int stopAfterSteps)
    {
        // 512 images in batches of 32: 16 steps an epoch, so 5 stops mid-epoch and 16 at the first epoch's end.
        var straight = TrainingLaunch.Start(Small("straight"), Quiet());

        var options = Small("interrupted");
        using var cancel = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => TrainingLaunch.Start(options, Quiet(new CancelAfterSteps(cancel, stopAfterSteps), everySteps: 1), cancel.Token));
        Assert.False(File.Exists(Path.Combine(options.OutputDirectory, "model.safetensors")));
        var resumed = TrainingLaunch.Resume(options.OutputDirectory, Quiet());

        Assert.Equal(Weights(straight.ModelPath), Weights(resumed.ModelPath));
        Assert.Equal(File.ReadAllLines(Path.Combine(straight.RunDirectory, "metrics.jsonl")).Length,
            File.ReadAllLines(Path.Combine(resumed.RunDirectory, "metrics.jsonl")).Length);
        Assert.Equal(straight.ValidationTop1Error, resumed.ValidationTop1Error);
    }

    [Fact]
    public void ACheckpointWrittenBeforeTheOptionsWereComposedResumesToTheBitsOfAStraightRun()
    {
        // tests/fixtures/checkpoint-v1.safetensors: written by the trainer of November 2026 (flat TrainingOptions), a
        // run of BN:4,M,8,M on 96 images in batches of 16 and micro-batches of 8, stopped at epoch 2, step 4.
        string resumed = Path.Combine(_root, "old-checkpoint");
        Directory.CreateDirectory(resumed);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "fixtures", "checkpoint-v1.safetensors"), Checkpoint.PathIn(resumed));
        TrainingOptions options;
        using (var old = Checkpoint.Load(resumed))
        {
            Assert.Equal(new TrainingPosition(1, 4, 10, 160), old.Position);
            options = old.Options;
        }
        Assert.Equal((16, 8, 96, 7UL, 2), (options.Loader.BatchSize, options.Loader.MicroBatchSize, options.Loader.Limit, options.Seed, options.Epochs));

        var result = TrainingLaunch.Resume(resumed, Quiet());
        var straight = TrainingLaunch.Start(options with { OutputDirectory = Path.Combine(_root, "old-checkpoint-straight"), Statistics = null }, Quiet());

        Assert.Equal(2, result.Epochs);
        Assert.Equal(Weights(straight.ModelPath), Weights(result.ModelPath));
    }

    [Fact]
    public void AResumeAfterABatchOfOnlyBadImagesTakesNoBatchTwice()
    {
        // Batches of one image from a folder where every other image is a truncated PNG: half the batches have
        // nothing to learn from, and stops fall after them.
        string data = Path.Combine(_root, "half-bad");
        int seed = 0;
        foreach (string split in new[] { "train", "val" })
        foreach (string label in new[] { "dark", "light" })
        {
            string folder = Path.Combine(data, split, label);
            Directory.CreateDirectory(folder);
            for (int i = 0; i < 6; i++)
            {
                string path = Path.Combine(folder, $"{i}.png");
                if (split == "train" && i % 2 == 1) File.WriteAllBytes(path, [137, 80, 78, 71, 13, 10, 26, 10, 0, 0]);
                else TestPng.Write(path, ResamplerTests.Noise(18, 18, 3, seed++));
            }
        }
        TrainingOptions Options(string name)
        {
            var small = Small(name, epochs: 2, learningRate: 0.01, configuration: "8,M,16,M");
            return small with { Loader = small.Loader with { BatchSize = 1, Limit = null }, ValidationLimit = null, Source = small.Source! with { Data = data } };
        }
        var straight = TrainingLaunch.Start(Options("straight-bad"), Quiet());

        foreach (int stopAfterSteps in new[] { 2, 5 })
        {
            var options = Options($"interrupted-bad-{stopAfterSteps}");
            using var cancel = new CancellationTokenSource();
            Assert.ThrowsAny<OperationCanceledException>(() =>
                TrainingLaunch.Start(options, Quiet(new CancelAfterSteps(cancel, stopAfterSteps), everySteps: 1), cancel.Token));
            var resumed = TrainingLaunch.Resume(options.OutputDirectory, Quiet());
            Assert.Equal(Weights(straight.ModelPath), Weights(resumed.ModelPath));
        }
    }

    [Fact]
    public void FineTuningKeepsTheSourceModelsInputPreprocessing()
    {
        // A model trained elsewhere with its own normalisation (0-1 pixels, a mean and a std, as torchvision's).
        var tuned = Small("tuned", limit: 128, epochs: 1);
        var preprocessing = new VggSharp.Models.Preprocessing(1f / 255, [0.3f], [0.2f]);
        string sourcePath = Path.Combine(_root, "source.safetensors");
        Directory.CreateDirectory(_root);
        using (var source = VggModel.Create(tuned.Source!.Model with { Classes = 10, InputChannels = 1, Preprocessing = preprocessing },
                   scheme: VggSharp.Models.InitScheme.Kaiming, seed: 5))
        {
            VggModelFile.Save(source, sourcePath);
        }

        var messages = new StringWriter();
        var result = TrainingLaunch.Start(tuned with { Source = tuned.Source with { InitFrom = sourcePath } }, Quiet(messages));

        using var model = VggModelFile.Load(result.ModelPath);
        Assert.Equal(preprocessing, model.Options.Preprocessing);
        Assert.Contains("its input preprocessing is kept", messages.ToString());
        // Trained from scratch, the same run subtracts the training set's mean instead.
        using var fresh = VggModelFile.Load(TrainingLaunch.Start(Small("fresh", limit: 128, epochs: 1), Quiet()).ModelPath);
        Assert.NotEqual(preprocessing, fresh.Options.Preprocessing);
    }

    [Fact]
    public void AnExplodingLossStopsWithAClearMessageAndNoModel()
    {
        var options = Small("diverge", limit: 256, epochs: 1, learningRate: 1e9);
        var e = Assert.Throws<TrainingDivergedException>(() => TrainingLaunch.Start(options, Quiet()));
        Assert.Contains("the loss became", e.Message);
        Assert.False(File.Exists(Path.Combine(options.OutputDirectory, "model.safetensors")));
        Assert.Contains("diverged", File.ReadAllText(Path.Combine(options.OutputDirectory, "report.html")));
    }

    [Fact]
    public void ARunDirectoryIsNotOverwrittenAndAWarmStartTakesTheShallowNetsLayers()
    {
        var shallow = Small("shallow", limit: 256, epochs: 1, configuration: "BN:8,M,16,M,32,32,M");
        var first = TrainingLaunch.Start(shallow, Quiet());
        Assert.Throws<InvalidOperationException>(() => TrainingLaunch.Start(shallow, Quiet()));

        var messages = new StringWriter();
        var deep = Small("deep", limit: 256, epochs: 1, configuration: "BN:8,8,M,16,16,M,32,32,M");
        TrainingLaunch.Start(deep with { Source = deep.Source! with { InitFrom = first.ModelPath } }, Quiet(messages));
        Assert.Contains("Warm start", messages.ToString());
        Assert.Contains("conv1_1", messages.ToString());
    }
}
