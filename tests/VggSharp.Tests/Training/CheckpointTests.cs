using VggSharp.Data.Transforms;
using VggSharp.Interop;
using VggSharp.Layers;
using VggSharp.Models;
using VggSharp.Tests.Interop;
using VggSharp.Training;
using Xunit;

namespace VggSharp.Tests.Training;

public class CheckpointTests
{
    private static readonly LearningRateScheduleState Schedule = new(0.001, 7, 0.6125, 5, 2, 1, ScheduleStop.None);

    /// <summary>A batch-norm model and an optimizer with non-zero momentum, as after some training.</summary>
    private static (VggModel Model, SgdOptimizer Optimizer) Trained(ulong seed)
    {
        var model = SmallModels.Create(SmallModels.Options("A-BN"), seed);
        var optimizer = new SgdOptimizer(model.Network, new SgdOptions { Momentum = 0.85f, WeightDecay = 1e-4f });
        Step(model, optimizer, (int)seed);
        return (model, optimizer);
    }

    private static void Step(VggModel model, SgdOptimizer optimizer, int seed)
    {
        var random = new Random(seed);
        foreach (var p in model.Network.Parameters)
        {
            var g = p.Gradient.Span;
            for (int i = 0; i < g.Length; i++) g[i] = (float)(random.NextDouble() - 0.5);
        }
        optimizer.Step(0.01f);
    }

    private static Dictionary<string, byte[]> Momentum(SgdOptimizer optimizer) => optimizer.State().ToDictionary(e => e.Key, e => e.Bytes.ToArray());

    /// <summary>Options unlike the defaults in every part, with a source and statistics.</summary>
    private static readonly TrainingOptions Options = new()
    {
        Optimizer = new SgdOptions { Momentum = 0.85f, WeightDecay = 1e-4f },
        Schedule = new PlateauScheduleOptions { InitialLearningRate = 0.3, Patience = 4, MinImprovement = 0.01, MaxReductions = 2, MaxEpochs = 9, AnnealEpochs = 1 },
        Augmentation = new AugmentationOptions { MinScale = 40, MaxScale = 48, RandomFlip = false, ColourShiftSigma = 0.2f },
        Loader = new VggSharp.Data.DataLoaderOptions { BatchSize = 64, MicroBatchSize = 16, Workers = 3, Limit = 1000 },
        Statistics = VggSharp.Tests.Data.ColourShiftTests.Rgb, Seed = ulong.MaxValue - 5, ValidationLimit = 300, CheckpointSeconds = 60, OutputDirectory = "elsewhere",
        Source = new TrainingSource { Data = "some/folder", Model = new TrainingSource().Model with { Configuration = "A-BN", WidthMultiplier = 0.5, HiddenUnits = 48, InputSize = 40 }, InputChannels = 3, Init = InitScheme.Kaiming, InitFrom = "a.pth" },
    };

    private static readonly string[] ClassNames = ["<script>\"\n", "b", "c", "d", "e", "f", "g", "h", "i", "j"];

    private static void Save(string directory, VggModel model, SgdOptimizer optimizer, int epoch) =>
        new Checkpoint(model, optimizer, Options, ClassNames, Schedule, new TrainingPosition(epoch, 0, epoch * 100L, epoch * 25_600L), EpochProgress.Empty).Save(directory);

    [Fact]
    public void SaveThenLoadRestoresEverythingBitForBit()
    {
        using var directory = new TemporaryDirectory();
        var (model, optimizer) = Trained(3);
        using var _ = model;
        using var __ = optimizer;
        var position = new TrainingPosition(4, 17, 417, 106_752);
        var progress = new EpochProgress(12.5, 30, 64, 1.25, 2);

        new Checkpoint(model, optimizer, Options, ClassNames, Schedule, position, progress).Save(directory.Path);
        using var loaded = Checkpoint.Load(directory.Path);

        SmallModels.AssertSame(SmallModels.Snapshot(model), SmallModels.Snapshot(loaded.Model));
        SmallModels.AssertSame(Momentum(optimizer), Momentum(loaded.Optimizer));
        Assert.Equal(optimizer.Options, loaded.Optimizer.Options);
        Assert.Equal(Schedule, loaded.Schedule);
        Assert.Equal(position, loaded.Position);
        Assert.Equal(progress, loaded.Progress);
        Assert.Equal(ClassNames, loaded.ClassNames);
        // Every part of the options comes back (the run directory is where it was loaded from).
        var options = loaded.Options;
        Assert.Equal(directory.Path, options.OutputDirectory);
        Assert.Equal((Options.Optimizer, Options.Schedule, Options.Augmentation, Options.Loader, Options.Source),
            (options.Optimizer, options.Schedule, options.Augmentation, options.Loader, options.Source));
        Assert.Equal(Options.Statistics!.Mean, options.Statistics!.Mean);
        Assert.Equal(Options.Statistics.EigenVectors, options.Statistics.EigenVectors);
        Assert.Equal((Options.Seed, Options.ValidationLimit, Options.CheckpointSeconds), (options.Seed, options.ValidationLimit, options.CheckpointSeconds));
        Assert.Equal(model.Options with { Configuration = "A-BN", Preprocessing = model.Options.EffectivePreprocessing }, loaded.Model.Options);
        Assert.True(Checkpoint.Exists(directory.Path));
        Assert.All(Directory.EnumerateFileSystemEntries(directory.Path), f => Assert.StartsWith("checkpoint", Path.GetFileName(f)));
    }

    [Fact]
    public void AResumedOptimizerTakesTheSameNextStep()
    {
        using var directory = new TemporaryDirectory();
        var (model, optimizer) = Trained(8);
        using var _ = model;
        using var __ = optimizer;
        Save(directory.Path, model, optimizer, 1);
        using var loaded = Checkpoint.Load(directory.Path);

        Step(model, optimizer, 99);
        Step(loaded.Model, loaded.Optimizer, 99);

        SmallModels.AssertSame(SmallModels.Snapshot(model), SmallModels.Snapshot(loaded.Model));
    }

    [Fact]
    public void AWriterThatFailsHalfwayLeavesThePreviousCheckpoint()
    {
        using var directory = new TemporaryDirectory();
        var (model, optimizer) = Trained(5);
        using var _ = model;
        using var __ = optimizer;
        Save(directory.Path, model, optimizer, 1);
        var saved = SmallModels.Snapshot(model);

        // The writer asks each tensor for its data once to check its size and once to write it: fail on the write of
        // the second tensor, after the first is already in the temporary file.
        int calls = 0;
        var big = new byte[1 << 20];
        var tensors = new List<SafetensorsTensorSource>
        {
            new("a", SafetensorsDataType.F32, [big.Length / 4], () => big),
            new("b", SafetensorsDataType.F32, [4], () => ++calls == 2 ? throw new IOException("disk full") : new byte[16]),
        };
        Assert.Throws<IOException>(() => SafetensorsWriter.Write(Checkpoint.PathIn(directory.Path), tensors));

        using var loaded = Checkpoint.Load(directory.Path);
        Assert.Equal(1, loaded.Position.Epoch);
        SmallModels.AssertSame(saved, SmallModels.Snapshot(loaded.Model));
        Assert.Single(Directory.EnumerateFileSystemEntries(directory.Path));
    }

    [Fact]
    public void AProcessKilledMidWriteLeavesThePreviousCheckpointAndTheNextSaveCleansUp()
    {
        using var directory = new TemporaryDirectory();
        using var other = new TemporaryDirectory();
        var (model, optimizer) = Trained(6);
        using var _ = model;
        using var __ = optimizer;
        Save(directory.Path, model, optimizer, 1);
        var saved = SmallModels.Snapshot(model);

        // What a kill leaves: the first half of the next checkpoint under the writer's temporary name.
        Step(model, optimizer, 7);
        Save(other.Path, model, optimizer, 2);
        byte[] next = File.ReadAllBytes(Checkpoint.PathIn(other.Path));
        string stale = Path.Combine(directory.Path, $".{Checkpoint.FileName}.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(stale, next[..(next.Length / 2)]);

        using (var loaded = Checkpoint.Load(directory.Path))
        {
            Assert.Equal(1, loaded.Position.Epoch);
            SmallModels.AssertSame(saved, SmallModels.Snapshot(loaded.Model));
        }

        Save(directory.Path, model, optimizer, 2);
        Assert.False(File.Exists(stale));
        using var resumed = Checkpoint.Load(directory.Path);
        Assert.Equal(2, resumed.Position.Epoch);
        SmallModels.AssertSame(SmallModels.Snapshot(model), SmallModels.Snapshot(resumed.Model));
    }

    [Fact]
    public void AMissingCheckpointIsFileNotFound()
    {
        using var directory = new TemporaryDirectory();
        Assert.False(Checkpoint.Exists(directory.Path));
        var e = Assert.Throws<FileNotFoundException>(() => Checkpoint.Load(directory.Path));
        Assert.Contains("no checkpoint", e.Message);
    }

    [Fact]
    public void ATruncatedCheckpointIsAFormatError()
    {
        using var directory = new TemporaryDirectory();
        var (model, optimizer) = Trained(2);
        using var _ = model;
        using var __ = optimizer;
        Save(directory.Path, model, optimizer, 1);
        string path = Checkpoint.PathIn(directory.Path);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);

        var e = Assert.Throws<WeightsFormatException>(() => Checkpoint.Load(directory.Path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains("truncated", e.Problem);
    }

    [Fact]
    public void AModelFileIsNotACheckpoint()
    {
        using var directory = new TemporaryDirectory();
        using var model = SmallModels.Create(SmallModels.Tiny, 1);
        VggModelFile.Save(model, Checkpoint.PathIn(directory.Path));

        var e = Assert.Throws<WeightsFormatException>(() => Checkpoint.Load(directory.Path));
        Assert.Contains("not a training checkpoint", e.Problem);
    }

    [Fact]
    public void MissingMomentumBuffersAreAFormatError()
    {
        using var directory = new TemporaryDirectory();
        using var model = SmallModels.Create(SmallModels.Tiny, 1);
        using var optimizer = new SgdOptimizer(model.Network);
        Save(directory.Path, model, optimizer, 1);
        var checkpointMetadata = VggModelFile.ReadMetadata(Checkpoint.PathIn(directory.Path)).Where(e => !e.Key.StartsWith("vggsharp.")).ToDictionary();
        // The same metadata over weights alone.
        VggModelFile.Save(model, Checkpoint.PathIn(directory.Path), checkpointMetadata);

        var e = Assert.Throws<WeightsFormatException>(() => Checkpoint.Load(directory.Path));
        Assert.Contains("missing momentum buffer momentum.features.0.weight", e.Problem);
    }

    [Theory]
    [InlineData("checkpoint.position", "{\"epoch\": 1")]
    [InlineData("checkpoint.position", "{\"epoch\":-1,\"step_in_epoch\":0,\"global_step\":0,\"samples_seen\":0}")]
    [InlineData("checkpoint.position", "{\"epoch\":1}")]
    [InlineData("checkpoint.schedule", "[]")]
    [InlineData("checkpoint.seed", "-3")]
    [InlineData("checkpoint.optimizer", "{\"momentum\":2,\"weight_decay\":0}")]
    [InlineData("checkpoint.format_version", "3")]
    public void MalformedStateIsAFormatErrorNamingIt(string key, string value)
    {
        using var directory = new TemporaryDirectory();
        using var model = SmallModels.Create(SmallModels.Tiny, 1);
        using var optimizer = new SgdOptimizer(model.Network);
        Save(directory.Path, model, optimizer, 1);
        string path = Checkpoint.PathIn(directory.Path);
        using (var reader = SafetensorsReader.Open(path))
        {
            var metadata = reader.Header.Metadata.Where(e => e.Key != SafetensorsChecksum.Key).ToDictionary();
            metadata[key] = value;
            var tensors = reader.Header.Tensors.Select(t =>
            {
                var bytes = new byte[t.ByteLength];
                reader.ReadTensor(t, bytes);
                return new SafetensorsTensorSource(t.Name, t.DataType, t.Shape, () => bytes);
            }).ToList();
            SafetensorsWriter.Write(path, tensors, metadata, checksum: true);
        }

        var e = Assert.Throws<WeightsFormatException>(() => Checkpoint.Load(directory.Path));
        Assert.Contains(key == "checkpoint.format_version" ? "format version 3" : key, e.Problem);
    }

    [Fact]
    public void AFlippedBitAnywhereInACheckpointIsRefused()
    {
        using var directory = new TemporaryDirectory();
        using var model = SmallModels.Create(SmallModels.Tiny, 1);
        using var optimizer = new SgdOptimizer(model.Network);
        Save(directory.Path, model, optimizer, 1);
        string path = Checkpoint.PathIn(directory.Path);
        byte[] good = File.ReadAllBytes(path);

        // Bits spread over the header (settings, names, shapes) and the data (weights, counters, momentum).
        var accepted = new List<string>();
        for (int offset = 0; offset < good.Length; offset += 31)
        {
            int bit = offset % 8;
            var bad = (byte[])good.Clone();
            bad[offset] ^= (byte)(1 << bit);
            File.WriteAllBytes(path, bad);
            try
            {
                Checkpoint.Load(directory.Path).Dispose();
                accepted.Add($"byte {offset} bit {bit}");
            }
            catch (WeightsFormatException)
            {
            }
        }
        Assert.Empty(accepted);
    }

    [Fact]
    public void AnOptimizerForAnotherNetworkIsRefused()
    {
        using var directory = new TemporaryDirectory();
        using var model = SmallModels.Create(SmallModels.Tiny, 1);
        using var stranger = SmallModels.Create(SmallModels.Options("A"), 1);
        using var optimizer = new SgdOptimizer(stranger.Network);

        Assert.Throws<ArgumentException>(() => Save(directory.Path, model, optimizer, 1));
        Assert.False(Checkpoint.Exists(directory.Path));
    }
}
