namespace VggSharp.Data.Transforms;

/// <summary>
/// The random part of the paper's training augmentation (section 3.1): the scale S the smallest side is rescaled to
/// (fixed, or drawn per image from [<see cref="MinScale"/>, <see cref="MaxScale"/>]: scale jittering), a random
/// horizontal flip and the RGB colour shift. The crop is the network's input size.
/// </summary>
public sealed record AugmentationOptions
{
    /// <summary>The smallest training scale S. Default 256, the paper's single-scale setting.</summary>
    public int MinScale { get; init; } = 256;

    /// <summary>The largest training scale S; equal to <see cref="MinScale"/> for a fixed scale (the paper's jittering is [256, 512]).</summary>
    public int MaxScale { get; init; } = 256;

    /// <summary>Whether to mirror half of the crops left to right. Default true.</summary>
    public bool RandomFlip { get; init; } = true;

    /// <summary>The standard deviation of the colour shift's alphas; 0 turns it off. Default 0.1, as Krizhevsky et al.</summary>
    public float ColourShiftSigma { get; init; } = 0.1f;

    /// <summary>Checks the values against a crop of <paramref name="cropSize"/> pixels.</summary>
    public void Validate(int cropSize)
    {
        if (MinScale < cropSize) throw new ArgumentException($"The training scale {MinScale} is smaller than the {cropSize}x{cropSize} crop.");
        if (MaxScale < MinScale) throw new ArgumentException($"The largest scale {MaxScale} is below the smallest {MinScale}.");
        if (MaxScale > 16384) throw new ArgumentException($"The largest scale {MaxScale} is larger than 16384.");
        if (!(ColourShiftSigma >= 0) || !float.IsFinite(ColourShiftSigma)) throw new ArgumentException($"The colour shift's sigma must be finite and non-negative, got {ColourShiftSigma}.");
    }
}
