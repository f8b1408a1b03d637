using System.Buffers;
using VggSharp.Models;
using VggSharp.Randomness;

namespace VggSharp.Data.Transforms;

/// <summary>
/// Makes one training input from a decoded image, as in section 3.1 of the paper (see
/// <see cref="TrainingTransformOptions"/>). Every random choice is a pure function of the sample key (e.g.
/// <c>CounterRandom.Key(seed, epoch, sampleGlobalIndex)</c>), so a sample is augmented the same way whatever the
/// thread count, the split across processes or a resume. Immutable and thread-safe; scratch comes from a pool and
/// only the crop is resampled, so a sample costs the crop, not the whole rescaled image.
/// </summary>
public sealed class TrainingTransform : ISampleTransform
{
    // Counters of the sample key, one per decision; the colour shift draws from a key of its own.
    private const ulong ScaleCounter = 0, CropXCounter = 1, CropYCounter = 2, FlipCounter = 3, ColourStream = 4;
    private readonly Preprocessing _preprocessing;

    /// <summary>Checks the options and keeps them.</summary>
    public TrainingTransform(TrainingTransformOptions options)
    {
        options.Validate();
        Options = options;
        _preprocessing = options.EffectivePreprocessing;
    }

    /// <summary>The options in effect.</summary>
    public TrainingTransformOptions Options { get; }

    /// <inheritdoc />
    public int Channels => Options.Channels;

    /// <inheritdoc />
    public int Height => Options.CropSize;

    /// <inheritdoc />
    public int Width => Options.CropSize;

    /// <summary>The smallest scale drawn: decoders may decode down to it.</summary>
    public int? ShortSideHint => Options.Augmentation.MinScale;

    /// <summary>The number of values <see cref="Apply"/> writes: channels x crop x crop.</summary>
    public int InputLength => Options.Channels * Options.CropSize * Options.CropSize;

    /// <summary>The scale, crop and flip that <paramref name="sampleKey"/> selects for a <paramref name="width"/> x <paramref name="height"/> image.</summary>
    public AugmentationChoice Choose(int width, int height, ulong sampleKey)
    {
        var augmentation = Options.Augmentation;
        int scale = augmentation.MinScale + UniformInteger(sampleKey, ScaleCounter, augmentation.MaxScale - augmentation.MinScale + 1);
        var (w, h) = IsotropicRescale.SizeFor(width, height, scale);
        int size = Options.CropSize;
        int x = UniformInteger(sampleKey, CropXCounter, w - size + 1);
        int y = UniformInteger(sampleKey, CropYCounter, h - size + 1);
        bool flip = augmentation.RandomFlip && (CounterRandom.Bits(sampleKey, FlipCounter) >> 63) != 0;
        return new AugmentationChoice(scale, new PixelRegion(x, y, size, size), flip);
    }

    /// <summary>
    /// Writes the network input for one sample into <paramref name="destinationCHW"/> (<see cref="InputLength"/>
    /// values) and returns what it drew. A grayscale image for a colour model is replicated; an RGB image for a
    /// grayscale model is refused.
    /// </summary>
    public AugmentationChoice Apply(DecodedImage image, ulong sampleKey, Span<float> destinationCHW)
    {
        NetworkInput.CheckChannels(image.Channels, Options.Channels);
        if (destinationCHW.Length != InputLength)
            throw new ArgumentException($"The destination holds {destinationCHW.Length} values; the input needs {InputLength}.");
        var choice = Choose(image.Width, image.Height, sampleKey);
        var (width, height) = IsotropicRescale.SizeFor(image.Width, image.Height, choice.Scale);

        Span<float> offsets = stackalloc float[Options.Channels];
        if (Options.Statistics is { } statistics) ColourShift.Offsets(statistics, Options.Augmentation.ColourShiftSigma, CounterRandom.Key(sampleKey, ColourStream), offsets);

        int size = Options.CropSize, length = size * size * image.Channels;
        float[] crop = ArrayPool<float>.Shared.Rent(length);
        try
        {
            Resampler.ResizeRegion(image, width, height, choice.Crop, Options.Filter, crop.AsSpan(0, length));
            NetworkInput.Write(crop.AsSpan(0, length), size, image.Channels, new PixelRegion(0, 0, size, size), choice.Flipped,
                offsets, _preprocessing, Options.Channels, destinationCHW);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(crop);
        }
        return choice;
    }

    void ISampleTransform.Apply(DecodedImage image, ulong sampleKey, Span<float> destination) => Apply(image, sampleKey, destination);

    /// <summary>A uniform integer in [0, count) from 64 random bits (multiply-high, no modulo bias worth the name).</summary>
    private static int UniformInteger(ulong key, ulong counter, int count) =>
        (int)Math.BigMul(CounterRandom.Bits(key, counter), (ulong)count, out _);
}
