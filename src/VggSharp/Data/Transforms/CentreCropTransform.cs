using VggSharp.Models;

namespace VggSharp.Data.Transforms;

/// <summary>
/// The single-scale test input as a loader transform: rescale isotropically to Q, then the centre crop of the net's
/// input size. Deterministic (the sample key is unused), so validation during training can run on the data loader.
/// </summary>
public sealed class CentreCropTransform : ISampleTransform
{
    private readonly EvaluationTransform _transform;

    /// <summary>Creates the transform for crops of <paramref name="cropSize"/> from images rescaled to <paramref name="scale"/>.</summary>
    public CentreCropTransform(int scale, int cropSize, int channels, Preprocessing preprocessing)
    {
        if (scale < cropSize) throw new ArgumentException($"The test scale {scale} is smaller than the {cropSize}x{cropSize} crop.");
        Scale = scale;
        _transform = new EvaluationTransform(cropSize, channels, preprocessing);
    }

    /// <summary>The test scale Q.</summary>
    public int Scale { get; }

    /// <inheritdoc />
    public int Channels => _transform.Channels;

    /// <inheritdoc />
    public int Height => _transform.CropSize;

    /// <inheritdoc />
    public int Width => _transform.CropSize;

    /// <inheritdoc />
    public int? ShortSideHint => Scale;

    /// <inheritdoc />
    public void Apply(DecodedImage image, ulong sampleKey, Span<float> destination) =>
        _transform.CentreCrop(_transform.Rescale(image, Scale), flip: false, destination);
}
