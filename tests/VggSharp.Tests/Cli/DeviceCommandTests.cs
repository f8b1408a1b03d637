using VggSharp.Cli.Options;
using VggSharp.Data;
using VggSharp.Interop;
using VggSharp.Interop.Numpy;
using VggSharp.Kernels;
using VggSharp.Models;
using VggSharp.Tests.Data;
using VggSharp.Tests.Interop;
using VggSharp.Tests.Tensors;
using VggSharp.Tests.Training;
using VggSharp.Training;
using Xunit;

namespace VggSharp.Tests.Cli;

/// <summary>
/// What the commands do with a device as the default backend (as --device cuda installs it), on the fake device whose
/// tensors keep their bytes private: fine-tuning and warm-starting from a file, a stop and a resume, then eval and
/// predict, each with the host's results.
/// </summary>
[Collection(DefaultBackendSwapped.Name)]
public class DeviceCommandTests
{
    private static readonly VggOptions Small = new() { Configuration = "BN:8,M,16,M,32,32,M", InputSize = 8, Head = VggHead.Small, HiddenUnits = 32, WidthMultiplier = 1 };

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
            for (int i = 0; i < (split == "train" ? 10 : 3); i++) TestPng.Write(Path.Combine(folder, $"{i}.png"), ResamplerTests.Noise(10 + i % 3, 9, 3, seed++));
        }
        return data;
    }

    private static TrainingOptions Run(string data, string directory, VggOptions model, string initFrom, int epochs) => new()
    {
        Schedule = new PlateauScheduleOptions { InitialLearningRate = 0.05, MaxEpochs = epochs },
        Augmentation = new() { MinScale = 8, MaxScale = 10 },
        Loader = new() { BatchSize = 4, Workers = 1 },
        Seed = 3, OutputDirectory = directory,
        Source = new TrainingSource { Data = data, Model = model, InitFrom = initFrom },
    };

    /// <summary>What the commands give on <paramref name="backend"/>: the final weights of each run and the outputs of eval and predict.</summary>
    private static List<string> Results(IBackend backend, string name, string data, TemporaryDirectory directory, string source)
    {
        using var scope = new DefaultBackendScope(backend);
        var results = new List<string>();
        // Fine-tuning from a file, stopped after 3 steps and resumed.
        var tuned = Run(data, directory.File($"{name}-tuned"), Small, source, epochs: 2);
        using (var cancel = new CancellationTokenSource())
        {
            Assert.ThrowsAny<OperationCanceledException>(() =>
                TrainingLaunch.Start(tuned, DeviceTrainingTests.EveryStep(new CancelAfterSteps(cancel, 3)), cancel.Token));
        }
        var resumed = TrainingLaunch.Resume(tuned.OutputDirectory, DeviceTrainingTests.EveryStep(TextWriter.Null));
        results.AddRange(DeviceTrainingTests.Weights(resumed.ModelPath).Select(Convert.ToBase64String));
        // A deeper network warm-started from a shallower one.
        var deep = Run(data, directory.File($"{name}-deep"), Small with { Configuration = "BN:8,8,M,16,16,M,32,32,M" }, source, epochs: 1);
        results.AddRange(DeviceTrainingTests.Weights(TrainingLaunch.Start(deep, DeviceTrainingTests.EveryStep(TextWriter.Null)).ModelPath).Select(Convert.ToBase64String));

        // --device cpu leaves the default backend as this test installed it.
        string model = source, image = Path.Combine(data, "val", "dark", "0.png");
        var eval = CliRunner.Run("eval", "-w", model, "--data", data, "--protocol", "dense+multicrop", "--scales", "8,10", "--batch", "3", "--device", "cpu");
        Assert.True(eval.ExitCode == 0, eval.Error);
        results.Add(string.Join("\n", eval.Output.Split('\n').Where(line => !line.StartsWith("Time", StringComparison.Ordinal))));
        var predict = CliRunner.Run("predict", "-w", model, "--protocol", "multicrop", "--scales", "9", "--json", "--device", "cpu", image);
        Assert.True(predict.ExitCode == 0, predict.Error);
        results.Add(predict.Output);
        string logits = directory.File($"{name}-logits.npy");
        var array = CliRunner.Run("predict", "-w", model, "--input", directory.File("input.npy"), "--output", logits, "--batch", "2", "--device", "cpu");
        Assert.True(array.ExitCode == 0, array.Error);
        results.Add(Convert.ToBase64String(File.ReadAllBytes(logits)));
        return results;
    }

    [Fact]
    public void TrainingResumingEvaluatingAndPredictingOnADeviceGiveTheHostsResults()
    {
        using var directory = new TemporaryDirectory();
        string data = NoiseFolder(directory);
        // A trained model's file: the same configuration fine-tunes, a deeper one warm-starts from it.
        string source = directory.File("source.safetensors");
        using (var model = VggModel.Create(Small with { Classes = 2, InputChannels = 3 }, Backends.Fast, InitScheme.Kaiming, seed: 4))
            VggModelFile.Save(model, source);
        NpyWriter.Write(directory.File("input.npy"), [5, 3, 8, 8], ResamplerTests.Noise(8 * 5, 8, 3, seed: 9).Pixels.Select(p => p / 255f).ToArray());

        var onHost = Results(Backends.Fast, "host", data, directory, source);
        var onDevice = Results(new FakeDeviceBackend(), "device", data, directory, source);

        Assert.Equal(onHost, onDevice);
    }
}
