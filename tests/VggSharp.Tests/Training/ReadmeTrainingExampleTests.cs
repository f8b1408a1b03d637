using System.Runtime.CompilerServices;
using VggSharp.Data;
using VggSharp.Data.Transforms;
using VggSharp.Models;
using VggSharp.Tests.Data;
using VggSharp.Tests.Evaluation;
using VggSharp.Training;
using Xunit;

namespace VggSharp.Tests.Training;

/// <summary>The README's example of training on a data set of one's own: the same text as here, so it compiles, and it trains.</summary>
public class ReadmeTrainingExampleTests
{
    // README begin
    static TrainingResult TrainOnMyImages(IImageDataset train, IImageDataset validation, string runDirectory)
    {
        // VGG-11 (configuration A) at a quarter of the paper's width, for 32x32 crops of the data set's classes,
        // with Glorot-initialised weights (VggModel.Create's default; scheme and seed are optional arguments).
        using var model = VggModel.Create(new VggOptions
        {
            Configuration = "A", Classes = train.ClassNames.Count, InputSize = 32, WidthMultiplier = 0.25, Head = VggHead.Small,
        });
        var options = new TrainingOptions
        {
            Optimizer = new SgdOptions { Momentum = 0.9f, WeightDecay = 5e-4f },
            Schedule = new PlateauScheduleOptions { InitialLearningRate = 0.01, MaxEpochs = 2 },
            Augmentation = new AugmentationOptions { MinScale = 32, MaxScale = 40 },
            Loader = new DataLoaderOptions { BatchSize = 32, Workers = 2 },
            OutputDirectory = runDirectory,
        };
        var progress = new Progress<TrainingProgress>(report =>
        {
            if (report is TrainingProgress.EpochFinished epoch) Console.WriteLine($"epoch {epoch.Metrics.Epoch}: val top-1 error {epoch.Metrics.ValTop1Error:P1}");
        });
        return Trainer.Train(model, train, validation, options, progress);
    }
    // README end

    [Fact]
    public void TheReadmesExampleIsThisCodeAndTrainsOnADataSetOfOnesOwn()
    {
        string source = File.ReadAllText(SourcePath());
        int begin = source.IndexOf("    // README begin\n", StringComparison.Ordinal), end = source.IndexOf("    // README end\n", StringComparison.Ordinal);
        string example = string.Join("\n", source[begin..end].Split('\n')[1..^1].Select(line => line.Length >= 4 ? line[4..] : line));
        string readme = File.ReadAllText(Path.Combine(Path.GetDirectoryName(SourcePath())!, "..", "..", "..", "README.md"));
        Assert.Contains(example, readme);

        // A data set of one's own: noise images of two classes.
        var images = Enumerable.Range(0, 64).Select(i => ((DecodedImage?)ResamplerTests.Noise(40, 36, 3, seed: i), i % 2)).ToList();
        var train = new SyntheticDataset(["cats", "dogs"], images[..48]);
        var validation = new SyntheticDataset(["cats", "dogs"], images[48..]);
        using var directory = new Interop.TemporaryDirectory();
        var result = TrainOnMyImages(train, validation, Path.Combine(directory.Path, "run"));

        Assert.Equal(2, result.Epochs);
        Assert.True(File.Exists(result.ModelPath));
        Assert.Equal(2, new MetricsLog(result.RunDirectory).Read().Count);
    }

    private static string SourcePath([CallerFilePath] string path = "") => path;
}
