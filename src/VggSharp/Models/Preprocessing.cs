namespace VggSharp.Models;

/// <summary>
/// How raw pixels (0-255 per channel, in RGB order) become the network's input:
/// input[c] = (pixel[order[c]] * <see cref="PixelScale"/> - <see cref="Mean"/>[c]) / <see cref="Std"/>[c].
/// It travels with the weights (safetensors metadata), since a model is only right with its own preprocessing.
/// </summary>
/// <param name="PixelScale">Multiplies raw 0-255 values first: 1 for the paper's and Caffe's 0-255 range, 1/255 for torchvision's [0, 1].</param>
/// <param name="Mean">Per-channel value subtracted after scaling (the paper subtracts the training set's mean RGB).</param>
/// <param name="Std">Per-channel divisor after subtracting the mean (1 for the paper and Caffe).</param>
/// <param name="Bgr">True when the network expects blue, green, red channel order (Caffe's models).</param>
public sealed record Preprocessing(float PixelScale, float[] Mean, float[] Std, bool Bgr = false)
{
    /// <summary>The paper's: 0-255 pixels minus a mean (zero until a training set's mean is known).</summary>
    public static Preprocessing MeanSubtraction(int channels) => new(1f, new float[channels], Enumerable.Repeat(1f, channels).ToArray());

    /// <summary>torchvision's ImageNet models: RGB in [0, 1], mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225).</summary>
    public static Preprocessing Torchvision => new(1f / 255f, [0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);

    /// <summary>The original Caffe release: BGR in 0-255 minus the mean pixel (103.939, 116.779, 123.68).</summary>
    public static Preprocessing Caffe => new(1f, [103.939f, 116.779f, 123.68f], [1f, 1f, 1f], Bgr: true);

    /// <summary>Checks that mean and std match the channel count and std has no zero.</summary>
    public void Validate(int channels)
    {
        if (Mean.Length != channels || Std.Length != channels)
            throw new ArgumentException($"Preprocessing has {Mean.Length} means and {Std.Length} stds for {channels} input channels.");
        if (Std.Any(s => !(s > 0) || !float.IsFinite(s)) || Mean.Any(m => !float.IsFinite(m)) || !(PixelScale > 0) || !float.IsFinite(PixelScale))
            throw new ArgumentException("Preprocessing needs a positive scale, finite means and positive stds.");
        if (Bgr && channels != 3) throw new ArgumentException("BGR order needs 3 channels.");
    }

    /// <inheritdoc />
    public bool Equals(Preprocessing? other) =>
        other is not null && PixelScale == other.PixelScale && Bgr == other.Bgr && Mean.SequenceEqual(other.Mean) && Std.SequenceEqual(other.Std);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(PixelScale, Bgr, Mean.Length);
}
