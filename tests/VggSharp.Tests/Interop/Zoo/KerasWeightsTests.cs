using VggSharp.Interop;
using VggSharp.Models;
using VggSharp.Tests.Cli;
using VggSharp.Tests.Data;
using VggSharp.Training;
using Xunit;

namespace VggSharp.Tests.Interop.Zoo;

/// <summary>
/// Keras's VGG16 weights files (keras.applications' layout, written with h5py by make_zoo_fixtures.py): the model is
/// inferred, the kernels transposed (HWIO, Dense [in, out], Flatten's channels-last order), and the logits are
/// Keras's forward pass within 1e-4; the weights expect Keras's caffe-style preprocessing. The _notop file (the same
/// convolutions, no Dense layers) starts a training run's convolutions and is refused wherever a classifier is needed.
/// </summary>
public class KerasWeightsTests
{
    [Fact]
    public void LogitsEqualKerassAt224()
    {
        string path = ZooFixtures.File("keras_vgg16.h5");
        Assert.Equal(WeightsFormat.Keras, WeightsFile.Detect(path));
        var options = WeightsFile.ReadOptions(path);
        Assert.Equal("D", options.Configuration);
        Assert.Equal(1.0 / 16, options.WidthMultiplier);
        Assert.Equal(224, options.InputSize);
        Assert.Equal(10, options.Classes);
        Assert.Equal(Preprocessing.Caffe, options.EffectivePreprocessing);

        using var vgg = WeightsFile.Load(path);
        ZooFixtures.AssertLogits(vgg, 224, "keras_vgg16.logits224.npy");
    }

    [Fact]
    public void AWholeSavedModelLoadsFromItsModelWeightsGroup()
    {
        using var weights = WeightsFile.Load(ZooFixtures.File("keras_tiny.h5"));
        using var model = WeightsFile.Load(ZooFixtures.File("keras_tiny_model.h5"));

        SmallModels.AssertSame(SmallModels.Snapshot(weights), SmallModels.Snapshot(model));
    }

    [Fact]
    public void TheNoTopFileIsRefusedWhereAClassifierIsNeededSayingWhatItIsFor()
    {
        using var directory = new TemporaryDirectory();
        string path = ZooFixtures.File("keras_vgg16_notop.h5");
        using var model = VggModel.Create(NoTop);
        Action[] needClassifier =
        [
            () => WeightsFile.Load(path).Dispose(), () => WeightsFile.ReadOptions(path), () => WeightsFile.Load(path, NoTop).Dispose(),
            () => WeightsFile.LoadInto(model, path), () => WeightsFile.Convert(path, directory.File("full.safetensors")),
        ];
        foreach (var attempt in needClassifier)
        {
            var e = Assert.Throws<WeightsFormatException>(attempt);
            Assert.Equal(path, e.FilePath);
            Assert.Contains("include_top=False", e.Problem);
            Assert.Contains("train --init-from", e.Problem);
        }
        Assert.False(File.Exists(directory.File("full.safetensors")));

        string image = directory.File("image.png");
        TestPng.Write(image, ResamplerTests.Noise(12, 10, 3, 1));
        string data = NoiseFolder(directory);
        foreach (string[] command in new[] { new[] { "predict", "-w", path, image }, ["eval", "-w", path, "--data", data], ["convert", path, directory.File("cli.safetensors")] })
        {
            var result = CliRunner.Run(command);
            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("train --init-from", result.SingleErrorLine());
        }
    }

    [Fact]
    public void TheNoTopFileLoadsIntoAModelsConvolutionsAlone()
    {
        using var full = WeightsFile.Load(ZooFixtures.File("keras_vgg16.h5")); // the same convolutions, its logits Keras's
        using var model = VggModel.Create(NoTop, seed: 4);
        using var untouched = VggModel.Create(NoTop, seed: 4);

        WeightsFile.LoadFeaturesInto(model, ZooFixtures.File("keras_vgg16_notop.h5"));

        AssertConvolutionsAreTheFilesAndClassifierIs(model, full, untouched);
        // Other convolutions are named, and the model is left as it was.
        using var deeper = VggModel.Create(NoTop with { Configuration = "E" }, seed: 4);
        var before = SmallModels.Snapshot(deeper);
        var e = Assert.Throws<WeightsFormatException>(() => WeightsFile.LoadFeaturesInto(deeper, ZooFixtures.File("keras_vgg16_notop.h5")));
        Assert.Contains("missing key", e.Problem);
        SmallModels.AssertSame(before, SmallModels.Snapshot(deeper));
    }

    [Fact]
    public void TheNoTopFileStartsATrainingRunsConvolutions()
    {
        using var directory = new TemporaryDirectory();
        var options = new TrainingOptions
        {
            Schedule = new PlateauScheduleOptions { InitialLearningRate = 0.01, MaxEpochs = 1 },
            Augmentation = new() { MinScale = 32, MaxScale = 36 },
            Loader = new() { BatchSize = 4, Workers = 1 },
            Seed = 3, OutputDirectory = directory.File("run"),
            Source = new TrainingSource { Data = NoiseFolder(directory), Model = NoTop, InitFrom = ZooFixtures.File("keras_vgg16_notop.h5") },
        };
        var messages = new StringWriter();
        using (var cancel = new CancellationTokenSource())
        {
            // Stopped before its first step, the run's checkpoint holds the model as it starts.
            cancel.Cancel();
            Assert.ThrowsAny<OperationCanceledException>(() =>
                TrainingLaunch.Start(options, new ProgressReporter(messages, isTerminal: false, new ProgressReporterOptions()), cancel.Token));
        }
        Assert.Contains("its convolutional layers, the classifier initialised afresh; its input preprocessing is kept", messages.ToString());

        using var checkpoint = Checkpoint.Load(options.OutputDirectory);
        using var full = WeightsFile.Load(ZooFixtures.File("keras_vgg16.h5"));
        using var fresh = VggModel.Create(checkpoint.Model.Options, scheme: options.Source.Init, seed: options.Seed);
        Assert.Equal(Preprocessing.Caffe, checkpoint.Model.Options.Preprocessing);
        AssertConvolutionsAreTheFilesAndClassifierIs(checkpoint.Model, full, fresh);
    }

    /// <summary>Configuration D at the fixtures' width (1/16), on 32x32 input for two classes: the notop file's convolutions fit it at any input size.</summary>
    private static readonly VggOptions NoTop = new() { Configuration = "D", WidthMultiplier = 1.0 / 16, InputSize = 32, Classes = 2, Head = VggHead.Small, HiddenUnits = 16 };

    /// <summary>The model's features.* entries are <paramref name="convolutions"/>' bit for bit, its classifier.* ones <paramref name="classifier"/>'s.</summary>
    private static void AssertConvolutionsAreTheFilesAndClassifierIs(VggModel model, VggModel convolutions, VggModel classifier)
    {
        var features = SmallModels.Snapshot(convolutions);
        var expected = SmallModels.Snapshot(classifier).ToDictionary(e => e.Key, e => e.Key.StartsWith("features.", StringComparison.Ordinal) ? features[e.Key] : e.Value);
        SmallModels.AssertSame(expected, SmallModels.Snapshot(model));
    }

    /// <summary>A folder data set of noise images of two classes.</summary>
    private static string NoiseFolder(TemporaryDirectory directory)
    {
        string data = directory.File("data");
        int seed = 0;
        foreach (string split in new[] { "train", "val" })
        foreach (string label in new[] { "dark", "light" })
        {
            string folder = Path.Combine(data, split, label);
            Directory.CreateDirectory(folder);
            for (int i = 0; i < 3; i++) TestPng.Write(Path.Combine(folder, $"{i}.png"), ResamplerTests.Noise(10 + i, 9, 3, seed++));
        }
        return data;
    }

    [Fact]
    public void AnotherInputSizeIsRefused()
    {
        var e = Assert.Throws<WeightsFormatException>(() => WeightsFile.Load(ZooFixtures.File("keras_vgg16.h5"), new WeightsLoadOptions { InputSize = 256 }));
        Assert.Contains("flattens a 7x7 feature map", e.Message);
    }

    [Fact]
    public void ConvertedToSafetensorsItKeepsItsWeightsAndPreprocessing()
    {
        using var directory = new TemporaryDirectory();
        string output = directory.File("keras.safetensors");
        WeightsFile.Convert(ZooFixtures.File("keras_vgg16.h5"), output);

        using var vgg = WeightsFile.Load(output);
        Assert.Equal(Preprocessing.Caffe, vgg.Options.EffectivePreprocessing);
        ZooFixtures.AssertLogits(vgg, 224, "keras_vgg16.logits224.npy");
    }
}
