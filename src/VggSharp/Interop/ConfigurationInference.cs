using System.Globalization;
using VggSharp.Models;

namespace VggSharp.Interop;

/// <summary>
/// Works out the <see cref="VggOptions"/> of a torchvision state_dict from its keys and shapes. torchvision's
/// make_layers numbers every module of "features": a convolution, its batch norm (the -BN variants), its ReLU, and a
/// max pooling between stages; so the indices of the convolutions give the pooling stages, their weights' shapes the
/// channels and kernel sizes, and the configuration is the one of Table 1 whose channels are a uniform multiple of
/// these (the width multiplier), or else the layer string itself. The classifier gives the hidden units and classes,
/// and fc6's inputs (C·p·p for the last convolution's C channels) the input size p·2^pools: 224 for torchvision's
/// 7x7 pooling. Every value in <see cref="WeightsLoadOptions"/> overrides what would be inferred.
/// </summary>
internal static class ConfigurationInference
{
    private static readonly string[] NamedConfigurations = ["A", "A-LRN", "B", "C", "D", "E"];

    /// <summary>The options of the model <paramref name="source"/> holds; anything it cannot tell is a <see cref="WeightsFormatException"/> that says to give --config.</summary>
    public static VggOptions Infer(IWeightsSource source, WeightsLoadOptions hints)
    {
        WeightsFormatException Fail(string problem) => new(source.Path, $"{problem}; cannot infer the architecture (give the configuration explicitly, --config)");
        var convolutions = new SortedDictionary<int, WeightsTensor>();
        var batchNorms = new HashSet<int>();
        foreach (var tensor in source.Tensors)
        {
            string[] parts = tensor.Name.Split('.');
            if (parts.Length != 3 || parts[0] != "features" || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int index)) continue;
            if (parts[2] == "weight" && tensor.Shape.Count == 4) convolutions[index] = tensor;
            if (parts[2] == "running_mean") batchNorms.Add(index);
        }
        if (convolutions.Count == 0)
            throw Fail($"no convolution weights under torchvision's keys (features.N.weight); the file's keys begin {string.Join(", ", source.Tensors.Take(4).Select(t => t.Name))}");
        bool batchNorm = batchNorms.Count > 0;
        if (batchNorm && (batchNorms.Count != convolutions.Count || convolutions.Keys.Any(i => !batchNorms.Contains(i + 1))))
            throw Fail("batch norm follows some convolutions but not others");

        // Between one convolution's block (conv, [bn], relu) and the next, each unnumbered index is a layer without
        // weights: one is a max pooling, two are A-LRN's LRN and pooling.
        var tokens = new List<string>();
        int expected = 0, previous = -1, modulesPerConvolution = batchNorm ? 3 : 2;
        foreach (var (index, weight) in convolutions)
        {
            switch (index - expected)
            {
                case 0: break;
                case 1: tokens.Add("M"); break;
                case 2 when previous >= 0: tokens.AddRange(["LRN", "M"]); break;
                default: throw Fail($"{index - expected} layers without weights lie between features.{previous} and features.{index}");
            }
            var shape = weight.Shape;
            if (shape[0] > int.MaxValue || shape[1] > int.MaxValue) throw Fail($"{weight.Name} is {weight.ShapeText}, too many channels");
            if (shape[2] != shape[3] || shape[2] is not (1 or 3)) throw Fail($"{weight.Name} is a {shape[2]}x{shape[3]} convolution; VGG's are 3x3 (or 1x1 in configuration C)");
            tokens.Add(shape[2] == 3 ? Number(shape[0]) : $"{Number(shape[0])}/1");
            expected = index + modulesPerConvolution;
            previous = index;
        }
        tokens.Add("M"); // every torchvision configuration ends with a pooling stage
        long[] channels = [.. convolutions.Values.Select(w => w.Shape[0])];

        var fc6 = Linear(source, "classifier.0.weight", Fail);
        var fc7 = Linear(source, "classifier.3.weight", Fail);
        var fc8 = Linear(source, "classifier.6.weight", Fail);
        long hidden = fc6.Shape[0];
        if (fc7.Shape[0] != hidden || fc7.Shape[1] != hidden || fc8.Shape[1] != hidden)
            throw Fail($"fc6, fc7 and fc8 are {fc6.ShapeText}, {fc7.ShapeText} and {fc8.ShapeText}; VggSharp's head has two hidden layers of the same size");

        var (configuration, width) = hints.Configuration is { } given ? Given(given, channels, source.Path) : Match(tokens, batchNorm, channels);

        long lastChannels = channels[^1], inputs = fc6.Shape[1];
        long area = inputs % lastChannels == 0 ? inputs / lastChannels : 0;
        long pooled = (long)Math.Round(Math.Sqrt(area));
        if (area == 0 || pooled * pooled != area)
            throw Fail($"fc6 takes {inputs} inputs, which is not C·p·p for the last convolution's C = {lastChannels} channels");
        int pools = VggConfiguration.Parse(configuration).PoolCount;
        int inputChannels = (int)Math.Min(convolutions.First().Value.Shape[1], int.MaxValue);
        // torchvision's normalisation is for RGB; for other channel counts, its ToTensor scaling alone.
        var preprocessing = source.Preprocessing ?? Preprocessing.Torchvision;
        if (preprocessing.Mean.Length != inputChannels)
            preprocessing = new Preprocessing(1f / 255f, new float[inputChannels], [.. Enumerable.Repeat(1f, inputChannels)]);
        var options = new VggOptions
        {
            Configuration = configuration,
            Classes = (int)Math.Min(fc8.Shape[0], int.MaxValue),
            InputChannels = inputChannels,
            InputSize = hints.InputSize ?? (int)Math.Min(pooled << Math.Min(pools, 20), int.MaxValue),
            WidthMultiplier = width,
            Head = hidden == 4096 ? VggHead.Paper : VggHead.Small,
            HiddenUnits = (int)Math.Min(hidden, int.MaxValue),
            Preprocessing = preprocessing,
        };
        try
        {
            options.Validate();
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw new WeightsFormatException(source.Path, $"the inferred model ({configuration}, width {width.ToString(CultureInfo.InvariantCulture)}, input {options.InputSize}) is not valid: {e.Message}", e);
        }
        return source.Match(options); // what else the file says of its model (timm's: no larger input than its fc6 takes)
    }

    /// <summary>The configuration of Table 1 with these layers and channels a uniform multiple of its own, or else the layer string at width 1.</summary>
    private static (string Configuration, double Width) Match(List<string> tokens, bool batchNorm, long[] channels)
    {
        string layers = string.Join(",", tokens);
        string shape = Shape(VggConfiguration.Parse(layers));
        foreach (string name in NamedConfigurations)
        {
            if (batchNorm && name == "A-LRN") continue;
            var candidate = VggConfiguration.Parse(batchNorm ? name + "-BN" : name);
            if (Shape(candidate) == shape && WidthOf(candidate, channels) is double width)
                return (candidate.Name, width);
        }
        return ((batchNorm ? "BN:" : "") + layers, 1.0);
    }

    /// <summary>A given configuration, at the width that fits the file's channels (1 when none does: the shapes will be named when loading).</summary>
    private static (string Configuration, double Width) Given(string name, long[] channels, string path)
    {
        var configuration = VggConfiguration.Parse(name);
        int convolutions = configuration.Features.Count(f => f.Kind == FeatureKind.Convolution);
        if (convolutions != channels.Length)
            throw new WeightsFormatException(path, $"the file has {channels.Length} convolutions but configuration {configuration.Name} has {convolutions}");
        return (name, WidthOf(configuration, channels) ?? 1.0);
    }

    /// <summary>The width multiplier that turns <paramref name="configuration"/>'s channels into <paramref name="channels"/>, or null when none does.</summary>
    private static double? WidthOf(VggConfiguration configuration, long[] channels)
    {
        var own = configuration.Features.Where(f => f.Kind == FeatureKind.Convolution).Select(f => f.Channels).ToList();
        if (own.Count != channels.Length) return null;
        // The widest layer gives the most precise ratio; every layer must then round to its channels.
        int widest = own.IndexOf(own.Max());
        var options = new VggOptions { WidthMultiplier = (double)channels[widest] / own[widest] };
        if (!(options.WidthMultiplier is > 0 and <= 64)) return null;
        return own.Select((c, i) => options.Scaled(c) == channels[i]).All(ok => ok) ? options.WidthMultiplier : null;
    }

    /// <summary>The configuration with every channel count blanked: its layer kinds, kernel sizes and pooling.</summary>
    private static string Shape(VggConfiguration configuration) =>
        string.Join(",", configuration.Features.Select(f => f.Kind == FeatureKind.Convolution ? $"c{f.KernelSize}" : f.ToString()));

    private static WeightsTensor Linear(IWeightsSource source, string key, Func<string, WeightsFormatException> fail)
    {
        var tensor = source.Find(key) ?? throw fail($"no {key} (torchvision's classifier is classifier.0, .3 and .6)");
        if (tensor.Shape.Count != 2 || tensor.Shape.Any(d => d == 0)) throw fail($"{key} is {tensor.ShapeText}, not a fully-connected layer's weights");
        return tensor;
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
