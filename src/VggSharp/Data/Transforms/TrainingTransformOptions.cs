using VggSharp.Models;

namespace VggSharp.Data.Transforms;

/// <summary>
/// The paper's training augmentation (section 3.1): rescale so the smallest side is S, fixed or drawn per image
/// from [<see cref="MinScale"/>, <see cref="MaxScale"/>] (scale jittering); a random crop of the network's input
/// size; a random horizontal flip; the RGB colour shift; then the model's preprocessing.
/// </summary>
public sealed record TrainingTransformOptions
{
    /// <summary>The side of the square crop: the network's input size. Default 224, as in the paper.</summary>
    public int CropSize { get; init; } = 224;

    /// <summary>The smallest training scale S. Default 256, the paper's single-scale setting.</summary>
    public int MinScale { get; init; } = 256;

    /// <summary>The largest training scale S; equal to <see cref="MinScale"/> for a fixed scale (the paper's jittering is [256, 512]).</summary>
    public int MaxScale { get; init; } = 256;

    /// <summary>Whether to mirror half of the crops left to right. Default true.</summary>
    public bool RandomFlip { get; init; } = true;

    /// <summary>The standard deviation of the colour shift's alphas; 0 turns it off. Default 0.1, as Krizhevsky et al.</summary>
    public float ColourShiftSigma { get; init; } = 0.1f;

    /// <summary>The training set's channel statistics, needed when <see cref="ColourShiftSigma"/> is not 0.</summary>
    public ChannelStatistics? Statistics { get; init; }

    /// <summary>The model's input channels: 3 (RGB) or 1 (grayscale).</summary>
    public int Channels { get; init; } = 3;

    /// <summary>The model's preprocessing; by default the paper's mean subtraction with the <see cref="Statistics"/>' mean (zero without them).</summary>
    public Preprocessing? Preprocessing { get; init; }

    /// <summary>The resampling filter for rescaling. Default bilinear (torchvision's default).</summary>
    public ResampleFilter Filter { get; init; } = ResampleFilter.Bilinear;

    /// <summary>The preprocessing in effect.</summary>
    public Preprocessing EffectivePreprocessing =>
        Preprocessing ?? Statistics?.ToMeanSubtraction() ?? Models.Preprocessing.MeanSubtraction(Channels);

    /// <summary>Checks every value.</summary>
    public void Validate()
    {
        if (Channels is not (1 or 3)) throw new ArgumentException($"Channels must be 1 or 3, got {Channels}.");
        if (CropSize < 1 || CropSize > 4096) throw new ArgumentException($"Crop size must be in [1, 4096], got {CropSize}.");
        if (MinScale < CropSize) throw new ArgumentException($"The smallest scale {MinScale} is less than the crop size {CropSize}.");
        if (MaxScale < MinScale) throw new ArgumentException($"The largest scale {MaxScale} is less than the smallest {MinScale}.");
        if (MaxScale > 16384) throw new ArgumentException($"The largest scale {MaxScale} is larger than 16384.");
        if (!(ColourShiftSigma >= 0) || !float.IsFinite(ColourShiftSigma)) throw new ArgumentException($"The colour shift's sigma must be finite and non-negative, got {ColourShiftSigma}.");
        if (ColourShiftSigma > 0 && Statistics is null) throw new ArgumentException("The colour shift needs the training set's channel statistics.");
        if (Statistics is not null)
        {
            Statistics.Validate();
            if (Statistics.Channels != Channels) throw new ArgumentException($"The statistics have {Statistics.Channels} channels; the model takes {Channels}.");
        }
        EffectivePreprocessing.Validate(Channels);
    }
}
