using VggSharp.Models;
using VggSharp.Tensors;

namespace VggSharp.Data.Transforms;

/// <summary>
/// The pieces of the paper's test-time protocols (section 3.2): rescale to a test scale Q once, then cut crops of
/// the network's input size (centre, or a grid from <see cref="EvaluationCrops"/>), optionally flipped, or take
/// the whole rescaled image for dense evaluation. Pixels go through the same code as training, without the random
/// parts. Immutable and thread-safe.
/// </summary>
public sealed class EvaluationTransform
{
    private readonly Preprocessing _preprocessing;

    /// <summary>An evaluation transform for a model with <paramref name="channels"/> inputs of <paramref name="cropSize"/> pixels.</summary>
    public EvaluationTransform(int cropSize, int channels, Preprocessing preprocessing, ResampleFilter filter = ResampleFilter.Bilinear)
    {
        if (channels is not (1 or 3)) throw new ArgumentException($"Channels must be 1 or 3, got {channels}.");
        if (cropSize < 1 || cropSize > 4096) throw new ArgumentException($"Crop size must be in [1, 4096], got {cropSize}.");
        preprocessing.Validate(channels);
        (CropSize, Channels, _preprocessing, Filter) = (cropSize, channels, preprocessing, filter);
    }

    /// <summary>The side of the square crops: the network's input size.</summary>
    public int CropSize { get; }

    /// <summary>The model's input channels.</summary>
    public int Channels { get; }

    /// <summary>The resampling filter.</summary>
    public ResampleFilter Filter { get; }

    /// <summary>The number of values a crop writes: channels x crop x crop.</summary>
    public int CropLength => Channels * CropSize * CropSize;

    /// <summary>Rescales so the smallest side is the test scale <paramref name="scale"/> (Q), keeping float samples; Q must be at least the crop size.</summary>
    public FloatImage Rescale(DecodedImage image, int scale)
    {
        NetworkInput.CheckChannels(image.Channels, Channels);
        if (scale < CropSize) throw new ArgumentOutOfRangeException(nameof(scale), $"The test scale {scale} is less than the crop size {CropSize}.");
        return IsotropicRescale.RescaleToFloat(image, scale, Filter);
    }

    /// <summary>Writes the centre crop of <paramref name="rescaled"/> as network input (<see cref="CropLength"/> values).</summary>
    public void CentreCrop(FloatImage rescaled, bool flip, Span<float> destinationCHW) =>
        Crop(rescaled, EvaluationCrops.Centre(rescaled.Width, rescaled.Height, CropSize), flip, destinationCHW);

    /// <summary>Writes <paramref name="region"/> of <paramref name="rescaled"/> (any size inside it) as network input: channels x region.Height x region.Width values.</summary>
    public void Crop(FloatImage rescaled, PixelRegion region, bool flip, Span<float> destinationCHW) =>
        NetworkInput.Write(rescaled.Pixels, rescaled.Width, rescaled.Channels, region, flip, default, _preprocessing, Channels, destinationCHW);

    /// <summary>The whole of <paramref name="rescaled"/> as a [1, channels, height, width] input, for dense evaluation.</summary>
    public Tensor Whole(FloatImage rescaled, bool flip)
    {
        NetworkInput.CheckChannels(rescaled.Channels, Channels);
        var input = new Tensor(1, Channels, rescaled.Height, rescaled.Width);
        Crop(rescaled, new PixelRegion(0, 0, rescaled.Width, rescaled.Height), flip, input.Span);
        return input;
    }
}
