using VggSharp.Models;

namespace VggSharp.Bench;

/// <summary>The kernel shapes of configuration D (VGG-16), derived from the library's own configuration table.</summary>
public static class ConfigurationDShapes
{
    private static readonly VggConfiguration D = VggConfiguration.Parse("D");
    private static readonly VggOptions PaperOptions = new() { Configuration = "D" };

    /// <summary>Every distinct convolution (channels, kernel, size) for one image of <paramref name="inputSize"/>, in network order.</summary>
    public static IReadOnlyList<ConvolutionShape> Convolutions(int inputSize)
    {
        var shapes = new List<ConvolutionShape>();
        int channels = PaperOptions.InputChannels, size = inputSize, stage = 1, inStage = 0;
        foreach (var item in D.Features)
        {
            if (item.Kind == FeatureKind.MaxPool)
            {
                (size, stage, inStage) = (size / 2, stage + 1, 0);
                continue;
            }
            if (item.Kind != FeatureKind.Convolution) continue;
            inStage++;
            var shape = new ConvolutionShape($"conv{stage}_{inStage}", channels, item.Channels, item.KernelSize, size);
            if (!shapes.Any(s => s with { Role = shape.Role } == shape)) shapes.Add(shape);
            channels = item.Channels;
        }
        return shapes;
    }

    /// <summary>The input of each max-pooling layer for a batch of <paramref name="inputSize"/> images.</summary>
    public static IReadOnlyList<FeatureMapShape> PoolInputs(int inputSize, int batch) =>
        [.. StageOutputs(inputSize).Select(s => new FeatureMapShape($"pool{s.Stage}", batch, s.Channels, s.Size))];

    /// <summary>The last ReLU of each stage (whose output the stage's pool reads) for a batch of <paramref name="inputSize"/> images.</summary>
    public static IReadOnlyList<FeatureMapShape> StageEndReLUs(int inputSize, int batch) =>
        [.. StageOutputs(inputSize).Select(s => new FeatureMapShape($"relu{s.Stage}_{s.Convolutions}", batch, s.Channels, s.Size))];

    private static IEnumerable<(int Stage, int Convolutions, int Channels, int Size)> StageOutputs(int inputSize)
    {
        int channels = PaperOptions.InputChannels, size = inputSize, stage = 1, inStage = 0;
        foreach (var item in D.Features)
        {
            if (item.Kind == FeatureKind.Convolution) (channels, inStage) = (item.Channels, inStage + 1);
            if (item.Kind != FeatureKind.MaxPool) continue;
            yield return (stage, inStage, channels, size);
            (size, stage, inStage) = (size / 2, stage + 1, 0);
        }
    }

    /// <summary>fc6, fc7 and fc8 of the paper's head (1000 classes, 224 input) on a batch.</summary>
    public static IReadOnlyList<LinearShape> ClassifierLayers(int batch)
    {
        int lastChannels = D.Features.Last(f => f.Kind == FeatureKind.Convolution).Channels;
        int map = PaperOptions.InputSize >> D.PoolCount;
        int hidden = PaperOptions.EffectiveHiddenUnits;
        return
        [
            new("fc6", batch, lastChannels * map * map, hidden),
            new("fc7", batch, hidden, hidden),
            new("fc8", batch, hidden, PaperOptions.Classes),
        ];
    }
}
