using System.Globalization;

namespace VggSharp.Experiments;

/// <summary>
/// A training scale S as the paper writes it, for 224-pixel crops: fixed (256, 384) or jittered ([256;512]). A study
/// maps it to its own crop size in proportion (<see cref="ForCrop"/>), so that a crop covers the same part of an image.
/// </summary>
/// <param name="PaperMin">The paper's smallest S.</param>
/// <param name="PaperMax">The paper's largest S; equal to <paramref name="PaperMin"/> for a fixed scale.</param>
public sealed record TrainingScale(int PaperMin, int PaperMax)
{
    /// <summary>The paper's crop size, to which its scales belong.</summary>
    public const int PaperCropSize = 224;

    /// <summary>S = 256.</summary>
    public static TrainingScale Fixed256 { get; } = new(256, 256);

    /// <summary>S = 384.</summary>
    public static TrainingScale Fixed384 { get; } = new(384, 384);

    /// <summary>S jittered over [256, 512].</summary>
    public static TrainingScale Jittered { get; } = new(256, 512);

    /// <summary>Whether S is drawn per image.</summary>
    public bool IsJittered => PaperMax != PaperMin;

    /// <summary>The paper's notation: "256" or "[256;512]".</summary>
    public string Label => IsJittered ? $"[{PaperMin};{PaperMax}]" : PaperMin.ToString(CultureInfo.InvariantCulture);

    /// <summary>A name for files: "256" or "256_512".</summary>
    public string FileLabel => IsJittered ? $"{PaperMin}_{PaperMax}" : Label;

    /// <summary>The scales for crops of <paramref name="cropSize"/> pixels: S x crop / 224, rounded (37 and 73 for 256 and 512 at 32).</summary>
    public (int Min, int Max) ForCrop(int cropSize) => (Map(PaperMin, cropSize), Map(PaperMax, cropSize));

    /// <summary>The same label in a study's scales: "37" or "[37;73]".</summary>
    public string LabelForCrop(int cropSize)
    {
        var (min, max) = ForCrop(cropSize);
        return IsJittered ? $"[{min};{max}]" : min.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary><paramref name="paperScale"/> in proportion to <paramref name="cropSize"/>, rounded half away from zero.</summary>
    public static int Map(int paperScale, int cropSize) =>
        (int)Math.Round((double)paperScale * cropSize / PaperCropSize, MidpointRounding.AwayFromZero);
}
