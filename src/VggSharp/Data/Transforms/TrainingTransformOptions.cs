using VggSharp.Models;

namespace VggSharp.Data.Transforms;

/// <summary>
/// The paper's training augmentation (section 3.1): rescale so the smallest side is S, fixed or drawn per image
/// (scale jittering); a random crop of the network's input size; a random horizontal flip; the RGB colour shift
/// (<see cref="Augmentation"/>); then the model's preprocessing.
/// </summary>
public sealed record TrainingTransformOptions
{
    /// <summary>The side of the square crop: the network's input size. Default 224, as in the paper.</summary>
    public int CropSize { get; init; } = 224;

    /// <summary>The scales, flip and colour shift. Default: the paper's single scale 256, flips and a colour shift of 0.1.</summary>
    public AugmentationOptions Augmentation { get; init; } = new();

    /// <summary>The training set's channel statistics, needed when the colour shift is on.</summary>
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
        Augmentation.Validate(CropSize);
        if (Augmentation.ColourShiftSigma > 0 && Statistics is null) throw new ArgumentException("The colour shift needs the training set's channel statistics.");
        if (Statistics is not null)
        {
            Statistics.Validate();
            if (Statistics.Channels != Channels) throw new ArgumentException($"The statistics have {Statistics.Channels} channels; the model takes {Channels}.");
        }
        EffectivePreprocessing.Validate(Channels);
    }
}
