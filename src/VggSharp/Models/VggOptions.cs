namespace VggSharp.Models;

/// <summary>Everything that determines a VGG network's architecture, and the preprocessing its weights expect.</summary>
public sealed record VggOptions
{
    /// <summary>A configuration name or layer string (see <see cref="VggConfiguration.Parse"/>). Default "D" (VGG-16).</summary>
    public string Configuration { get; init; } = "D";

    /// <summary>Number of output classes. Default 1000 (ImageNet).</summary>
    public int Classes { get; init; } = 1000;

    /// <summary>Input channels: 3 for RGB, 1 for grayscale.</summary>
    public int InputChannels { get; init; } = 3;

    /// <summary>The training input size (square). Default 224, as in the paper.</summary>
    public int InputSize { get; init; } = 224;

    /// <summary>Multiplies every convolution's channel count (rounded, at least 1). Default 1.</summary>
    public double WidthMultiplier { get; init; } = 1.0;

    /// <summary>The fully-connected part.</summary>
    public VggHead Head { get; init; } = VggHead.Paper;

    /// <summary>Hidden units of the two hidden fully-connected layers; by default 4096 for the paper's head, 512 for the small one.</summary>
    public int? HiddenUnits { get; init; }

    /// <summary>Dropout probability after the two hidden fully-connected layers. Default 0.5, as in the paper.</summary>
    public float Dropout { get; init; } = 0.5f;

    /// <summary>The preprocessing the weights expect; by default mean subtraction on 0-255 pixels, as in the paper.</summary>
    public Preprocessing? Preprocessing { get; init; }

    /// <summary>The hidden units in effect.</summary>
    public int EffectiveHiddenUnits => HiddenUnits ?? (Head == VggHead.Paper ? 4096 : 512);

    /// <summary>The preprocessing in effect.</summary>
    public Preprocessing EffectivePreprocessing => Preprocessing ?? Models.Preprocessing.MeanSubtraction(InputChannels);

    /// <summary>Channels of a convolution after the width multiplier.</summary>
    public int Scaled(int channels) => Math.Max(1, (int)Math.Round(channels * WidthMultiplier, MidpointRounding.AwayFromZero));

    /// <summary>Checks every value and that the input survives all pooling stages; returns the parsed configuration.</summary>
    public VggConfiguration Validate()
    {
        var config = VggConfiguration.Parse(Configuration);
        if (Classes < 1) throw new ArgumentException($"Classes must be at least 1, got {Classes}.");
        if (InputChannels < 1) throw new ArgumentException($"Input channels must be at least 1, got {InputChannels}.");
        if (!(WidthMultiplier > 0) || WidthMultiplier > 64) throw new ArgumentException($"Width multiplier must be in (0, 64], got {WidthMultiplier}.");
        if (EffectiveHiddenUnits < 1) throw new ArgumentException($"Hidden units must be at least 1, got {EffectiveHiddenUnits}.");
        if (!(Dropout >= 0 && Dropout < 1)) throw new ArgumentException($"Dropout must be in [0, 1), got {Dropout}.");
        int minimum = 1 << config.PoolCount;
        if (InputSize < minimum)
            throw new ArgumentException($"Input size {InputSize} is too small for configuration {config.Name}: its {config.PoolCount} max-pooling stages need at least {minimum}x{minimum}.");
        if (InputSize > 4096) throw new ArgumentException($"Input size {InputSize} is larger than 4096.");
        int lastChannels = Scaled(config.Features.Last(f => f.Kind == FeatureKind.Convolution).Channels);
        int map = VggLayerBuilder.FeatureMapSize(config, InputSize);
        long fc6Weights = (long)lastChannels * map * map * EffectiveHiddenUnits;
        if (fc6Weights > int.MaxValue)
            throw new ArgumentException(
                $"fc6 would have {lastChannels}x{map}x{map} inputs and {EffectiveHiddenUnits} outputs, {fc6Weights} weights: more than one tensor can hold ({int.MaxValue}). Use a smaller input, width or head.");
        EffectivePreprocessing.Validate(InputChannels);
        return config;
    }
}
