using VggSharp.Models;
using VggSharp.Training;

namespace VggSharp.Bench;

/// <summary>
/// The kernel shapes of a VGG network, derived from the library's own configuration table and options: the paper's
/// configuration D (VGG-16) at 224 and 32, and the project's main job (vggsharp train's defaults on Fashion-MNIST).
/// </summary>
public static class NetworkShapes
{
    /// <summary>The paper's VGG-16: configuration D, 3 channels, 1000 classes, the 4096-unit head.</summary>
    public static VggOptions Paper(int inputSize) => new() { Configuration = "D", InputSize = inputSize };

    /// <summary>The main job's network: vggsharp train's defaults, on Fashion-MNIST's one channel and ten classes.</summary>
    public static VggOptions MainJob { get; } = MainJobOptions();

    /// <summary>The main job's batch.</summary>
    public static int MainJobBatch { get; } = new TrainingOptions().Loader.BatchSize;

    /// <summary>Every distinct convolution (channels, kernel, size) of <paramref name="options"/> on a batch, in network order.</summary>
    public static IReadOnlyList<ConvolutionShape> Convolutions(VggOptions options, int batch)
    {
        var shapes = new List<ConvolutionShape>();
        foreach (var (role, inChannels, outChannels, kernel, size) in ConvolutionLayers(options))
        {
            var shape = new ConvolutionShape(role, batch, inChannels, outChannels, kernel, size);
            if (!shapes.Any(s => s with { Role = shape.Role } == shape)) shapes.Add(shape);
        }
        return shapes;
    }

    /// <summary>Every distinct convolution output, which a batch-norm layer normalises in the -BN configurations.</summary>
    public static IReadOnlyList<FeatureMapShape> ConvolutionOutputs(VggOptions options, int batch) =>
        [.. ConvolutionLayers(options).Select(c => new FeatureMapShape(c.Role.Replace("conv", "bn"), batch, c.OutChannels, c.Size))
            .DistinctBy(s => (s.Channels, s.Size))];

    /// <summary>The input of each max-pooling layer.</summary>
    public static IReadOnlyList<FeatureMapShape> PoolInputs(VggOptions options, int batch) =>
        [.. StageOutputs(options).Select(s => new FeatureMapShape($"pool{s.Stage}", batch, s.Channels, s.Size))];

    /// <summary>The last ReLU of each stage (whose output the stage's pool reads).</summary>
    public static IReadOnlyList<FeatureMapShape> StageEndReLUs(VggOptions options, int batch) =>
        [.. StageOutputs(options).Select(s => new FeatureMapShape($"relu{s.Stage}_{s.Convolutions}", batch, s.Channels, s.Size))];

    /// <summary>fc6, fc7 and fc8 of <paramref name="options"/>' head on a batch.</summary>
    public static IReadOnlyList<LinearShape> ClassifierLayers(VggOptions options, int batch)
    {
        var configuration = options.Validate();
        int lastChannels = options.Scaled(configuration.Features.Last(f => f.Kind == FeatureKind.Convolution).Channels);
        int map = options.InputSize >> configuration.PoolCount;
        int hidden = options.EffectiveHiddenUnits;
        return
        [
            new("fc6", batch, lastChannels * map * map, hidden),
            new("fc7", batch, hidden, hidden),
            new("fc8", batch, hidden, options.Classes),
        ];
    }

    private static IEnumerable<(string Role, int InChannels, int OutChannels, int Kernel, int Size)> ConvolutionLayers(VggOptions options)
    {
        int channels = options.InputChannels, size = options.InputSize, stage = 1, inStage = 0;
        foreach (var item in options.Validate().Features)
        {
            if (item.Kind == FeatureKind.MaxPool) (size, stage, inStage) = (size / 2, stage + 1, 0);
            if (item.Kind != FeatureKind.Convolution) continue;
            int outChannels = options.Scaled(item.Channels);
            yield return ($"conv{stage}_{++inStage}", channels, outChannels, item.KernelSize, size);
            channels = outChannels;
        }
    }

    private static IEnumerable<(int Stage, int Convolutions, int Channels, int Size)> StageOutputs(VggOptions options)
    {
        int channels = options.InputChannels, size = options.InputSize, stage = 1, inStage = 0;
        foreach (var item in options.Validate().Features)
        {
            if (item.Kind == FeatureKind.Convolution) (channels, inStage) = (options.Scaled(item.Channels), inStage + 1);
            if (item.Kind != FeatureKind.MaxPool) continue;
            yield return (stage, inStage, channels, size);
            (size, stage, inStage) = (size / 2, stage + 1, 0);
        }
    }

    private static VggOptions MainJobOptions()
    {
        return new TrainingSource().Model with { InputChannels = 1, Classes = 10 };
    }
}
