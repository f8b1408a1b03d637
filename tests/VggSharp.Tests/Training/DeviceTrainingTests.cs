using VggSharp.Data;
using VggSharp.Data.Transforms;
using VggSharp.Interop;
using VggSharp.Kernels;
using VggSharp.Layers;
using VggSharp.Models;
using VggSharp.Tests.Data;
using VggSharp.Tests.Evaluation;
using VggSharp.Tests.Interop;
using VggSharp.Tests.Tensors;
using VggSharp.Training;
using Xunit;

namespace VggSharp.Tests.Training;

/// <summary>
/// The trainer with a model on a device (the fake one, whose tensors keep their bytes private): steps, validation,
/// checkpoints, a resume onto the device and the final model, with the host's bits and without reading a network
/// tensor's elements in place.
/// </summary>
public class DeviceTrainingTests
{
    private static readonly string[] Classes = ["a", "b", "c"];

    /// <summary>Batch norm, dropout and a head small enough for seconds per run.</summary>
    internal static readonly VggOptions TinyModel = new() { Configuration = "BN:8,M,16,M", InputSize = 8, Classes = 3, Head = VggHead.Small, HiddenUnits = 32 };

    internal static SyntheticDataset Noise(int count, int seed) =>
        new(Classes, [.. Enumerable.Range(0, count).Select(i => ((DecodedImage?)ResamplerTests.Noise(10 + i % 3, 9, 3, seed: seed + i), i % 3))]);

    /// <summary>
    /// Two epochs of 5 steps, each step two passes (micro-batches of 4), validated on 7 images in batches of 4, and a
    /// checkpoint after every step (the interval is next to nothing), so saving from the device is part of every step.
    /// </summary>
    internal static TrainingOptions Options(string directory) => new()
    {
        Schedule = new PlateauScheduleOptions { InitialLearningRate = 0.05, MaxEpochs = 2 },
        Augmentation = new AugmentationOptions { MinScale = 8, MaxScale = 10 },
        Loader = new DataLoaderOptions { BatchSize = 8, MicroBatchSize = 4, Workers = 2 },
        Seed = 5, ValidationLimit = 7, CheckpointSeconds = 1e-9, OutputDirectory = directory,
    };

    /// <summary>A reporter that prints every step to <paramref name="writer"/>.</summary>
    internal static ProgressReporter EveryStep(TextWriter writer) => new(writer, isTerminal: false, new ProgressReporterOptions { PlainEverySteps = 1 });

    internal static List<byte[]> Weights(string modelPath)
    {
        using var model = VggModelFile.Load(modelPath, Backends.Fast);
        return [.. model.State().Select(e => e.Bytes.ToArray())];
    }

    [Theory]
    [InlineData(3)]
    [InlineData(7)]
    public void ARunOnADeviceStoppedAndResumedThereEndsWithTheHostsBits(int stopAfterSteps)
    {
        // 3 stops within the first epoch, 7 within the second, after a validation on the device.
        using var directory = new TemporaryDirectory();
        var (train, validation) = (Noise(40, 0), Noise(9, 100));
        TrainingResult onHost;
        using (var model = VggModel.Create(TinyModel, Backends.Fast, InitScheme.Kaiming, seed: 2))
            onHost = Trainer.Train(model, train, validation, Options(Path.Combine(directory.Path, "host")));

        var device = new FakeDeviceBackend();
        var options = Options(Path.Combine(directory.Path, "device"));
        using (var model = VggModel.Create(TinyModel, Backends.Fast, InitScheme.Kaiming, seed: 2))
        {
            model.MoveTo(device);
            using var cancel = new CancellationTokenSource();
            Assert.ThrowsAny<OperationCanceledException>(() =>
                Trainer.Train(model, train, validation, options, EveryStep(new CancelAfterSteps(cancel, stopAfterSteps)), cancel.Token));
        }
        var checkpoint = Checkpoint.Load(options.OutputDirectory, device);
        Assert.Equal(stopAfterSteps + 1, checkpoint.Position.GlobalStep);
        Assert.All(checkpoint.Model.State().Concat(checkpoint.Optimizer.State()).Where(e => e.ElementType == StateElementType.Float32),
            e => Assert.False(e.IsOnHost, e.Key));
        var resumed = Trainer.Resume(checkpoint, train, validation);

        Assert.Equal(Weights(onHost.ModelPath), Weights(resumed.ModelPath));
        Assert.Equal((onHost.ValidationTop1Error, onHost.ValidationTop5Error), (resumed.ValidationTop1Error, resumed.ValidationTop5Error));
        Assert.Equal(new MetricsLog(onHost.RunDirectory).Read().Select(m => (m.TrainLoss, m.TrainTop1Error, m.ValTop1Error)),
            new MetricsLog(resumed.RunDirectory).Read().Select(m => (m.TrainLoss, m.TrainTop1Error, m.ValTop1Error)));
    }
}
