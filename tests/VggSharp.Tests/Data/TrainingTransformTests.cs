using VggSharp.Data;
using VggSharp.Data.Transforms;
using VggSharp.Models;
using VggSharp.Randomness;
using Xunit;

namespace VggSharp.Tests.Data;

public class TrainingTransformTests
{
    private static readonly DecodedImage Photo = ResamplerTests.Noise(80, 60, 3, seed: 11);

    private static TrainingTransformOptions Options(Preprocessing? preprocessing = null) => new()
    {
        CropSize = 24, Augmentation = new() { MinScale = 28, MaxScale = 40 }, Statistics = ColourShiftTests.Rgb, Preprocessing = preprocessing,
    };

    private static (float[] Input, AugmentationChoice Choice) Run(TrainingTransform transform, DecodedImage image, ulong key)
    {
        var input = new float[transform.InputLength];
        var choice = transform.Apply(image, key, input);
        return (input, choice);
    }

    [Fact]
    public void SameKeyGivesTheSameBits()
    {
        var transform = new TrainingTransform(Options());
        var key = CounterRandom.Key(1, 2, 3);
        var (a, choiceA) = Run(transform, Photo, key);
        var (b, choiceB) = Run(new TrainingTransform(Options()), Photo, key);
        Assert.Equal(choiceA, choiceB);
        Assert.Equal(a, b);
    }

    [Fact]
    public void SameKeySameBitsOnManyThreads()
    {
        var transform = new TrainingTransform(Options());
        var expected = Enumerable.Range(0, 32).Select(i => Run(transform, Photo, CounterRandom.Key(5, (ulong)i)).Input).ToArray();
        var actual = new float[32][];
        Parallel.For(0, 32, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => actual[i] = Run(transform, Photo, CounterRandom.Key(5, (ulong)i)).Input);
        for (int i = 0; i < 32; i++) Assert.Equal(expected[i], actual[i]);
    }

    [Fact]
    public void DifferentKeysChooseDifferentScalesCropsAndFlips()
    {
        var transform = new TrainingTransform(Options());
        var choices = Enumerable.Range(0, 200).Select(i => transform.Choose(Photo.Width, Photo.Height, CounterRandom.Key(9, (ulong)i))).ToArray();
        Assert.True(choices.Select(c => c.Scale).Distinct().Count() > 5);
        Assert.True(choices.Select(c => (c.Crop.X, c.Crop.Y)).Distinct().Count() > 50);
        Assert.InRange(choices.Count(c => c.Flipped), 70, 130);
        Assert.NotEqual(Run(transform, Photo, 1).Input, Run(transform, Photo, 2).Input);
    }

    [Fact]
    public void ScaleJitterCoversTheWholeRangeAndCropsStayInside()
    {
        var transform = new TrainingTransform(Options());
        var choices = Enumerable.Range(0, 2000).Select(i => transform.Choose(Photo.Width, Photo.Height, CounterRandom.Key(4, (ulong)i))).ToArray();
        Assert.Equal(Enumerable.Range(28, 13), choices.Select(c => c.Scale).Distinct().Order());
        foreach (var c in choices)
        {
            var (w, h) = IsotropicRescale.SizeFor(Photo.Width, Photo.Height, c.Scale);
            c.Crop.CheckInside(w, h);
        }
        // Both extreme crop positions occur at the smallest scale (37x28: x in [0, 13], y in [0, 4]).
        Assert.Contains(choices, c => c.Scale == 28 && c.Crop.Y == 0);
        Assert.Contains(choices, c => c.Scale == 28 && c.Crop.Y == 4);
    }

    [Fact]
    public void FixedScaleWithoutAugmentationIsTheRescaledCropMinusTheMean()
    {
        var preprocessing = new Preprocessing(1f, [10f, 20f, 30f], [1f, 1f, 1f]);
        var options = Options(preprocessing) with { Augmentation = new() { MinScale = 30, MaxScale = 30, RandomFlip = false, ColourShiftSigma = 0 } };
        var transform = new TrainingTransform(options);
        var (input, choice) = Run(transform, Photo, 77);
        Assert.Equal(30, choice.Scale);
        Assert.False(choice.Flipped);
        var rescaled = Resampler.ResizeToFloat(Photo, 40, 30, ResampleFilter.Bilinear);
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 24; y++)
                for (int x = 0; x < 24; x++)
                {
                    float pixel = rescaled.Pixels[((choice.Crop.Y + y) * 40 + choice.Crop.X + x) * 3 + c];
                    Assert.Equal(pixel - preprocessing.Mean[c], input[(c * 24 + y) * 24 + x], 1e-4f);
                }
    }

    [Fact]
    public void FlipMirrorsTheSameCrop()
    {
        var options = Options() with { Augmentation = Options().Augmentation with { ColourShiftSigma = 0 } };
        var flipping = new TrainingTransform(options);
        var straight = new TrainingTransform(options with { Augmentation = options.Augmentation with { RandomFlip = false } });
        ulong key = Enumerable.Range(0, 100).Select(i => (ulong)i).First(k => flipping.Choose(Photo.Width, Photo.Height, k).Flipped);
        var (flipped, _) = Run(flipping, Photo, key);
        var (plain, _) = Run(straight, Photo, key);
        for (int row = 0; row < 3 * 24; row++)
            for (int x = 0; x < 24; x++)
                Assert.Equal(plain[row * 24 + x], flipped[row * 24 + 23 - x]);
    }

    [Fact]
    public void ColourShiftAddsOneOffsetPerChannel()
    {
        var shifted = new TrainingTransform(Options());
        var plain = new TrainingTransform(Options() with { Augmentation = Options().Augmentation with { ColourShiftSigma = 0 } });
        ulong key = 5;
        var (a, _) = Run(shifted, Photo, key);
        var (b, _) = Run(plain, Photo, key);
        var offsets = new float[3];
        ColourShift.Offsets(ColourShiftTests.Rgb, 0.1f, CounterRandom.Key(key, 4), offsets);
        Assert.Contains(offsets, o => Math.Abs(o) > 0.1f);
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < 24 * 24; i++)
                Assert.Equal(b[c * 576 + i] + offsets[c], a[c * 576 + i], 1e-3f);
    }

    [Fact]
    public void OutputRangeFollowsThePreprocessing()
    {
        var transform = new TrainingTransform(Options(Preprocessing.Torchvision) with { Augmentation = Options().Augmentation with { ColourShiftSigma = 0 } });
        var (input, _) = Run(transform, Photo, 3);
        Assert.Equal(3 * 24 * 24, input.Length);
        float[] mean = [0.485f, 0.456f, 0.406f], std = [0.229f, 0.224f, 0.225f];
        for (int c = 0; c < 3; c++)
            Assert.All(input.AsSpan(c * 576, 576).ToArray(), v => Assert.InRange(v, -mean[c] / std[c] - 1e-5f, (1 - mean[c]) / std[c] + 1e-5f));
    }

    [Fact]
    public void BgrModelsGetReversedChannels()
    {
        var rgb = new Preprocessing(1f, [0f, 0f, 0f], [1f, 1f, 1f]);
        var options = Options(rgb) with { Augmentation = Options().Augmentation with { ColourShiftSigma = 0 } };
        var (plain, _) = Run(new TrainingTransform(options), Photo, 8);
        var (bgr, _) = Run(new TrainingTransform(options with { Preprocessing = rgb with { Bgr = true } }), Photo, 8);
        for (int c = 0; c < 3; c++) Assert.Equal(plain.AsSpan((2 - c) * 576, 576).ToArray(), bgr.AsSpan(c * 576, 576).ToArray());
    }

    [Fact]
    public void GrayImagesAreReplicatedForColourModels()
    {
        var gray = ResamplerTests.Noise(50, 40, 1, seed: 12);
        var (input, _) = Run(new TrainingTransform(Options(Preprocessing.MeanSubtraction(3)) with { Augmentation = Options().Augmentation with { ColourShiftSigma = 0 } }), gray, 6);
        Assert.Equal(input.AsSpan(0, 576).ToArray(), input.AsSpan(576, 576).ToArray());
        Assert.Equal(input.AsSpan(0, 576).ToArray(), input.AsSpan(1152, 576).ToArray());
    }

    [Fact]
    public void GrayModelsTakeGrayImagesAndRefuseRgb()
    {
        var grayStats = ChannelStatistics.FromMoments([100f], [400f]);
        var transform = new TrainingTransform(new TrainingTransformOptions { CropSize = 16, Augmentation = new() { MinScale = 20, MaxScale = 24 }, Channels = 1, Statistics = grayStats });
        var input = new float[transform.InputLength];
        transform.Apply(ResamplerTests.Noise(30, 30, 1, seed: 13), 1, input);
        Assert.Contains(input, v => v != 0);
        var error = Assert.Throws<ArgumentException>(() => transform.Apply(Photo, 1, input));
        Assert.Contains("RGB image", error.Message);
    }

    [Fact]
    public void BadOptionsAndDestinationsAreRefused()
    {
        Assert.Throws<ArgumentException>(() => new TrainingTransform(new TrainingTransformOptions { CropSize = 224, Augmentation = new() { MinScale = 200 } }));
        Assert.Throws<ArgumentException>(() => new TrainingTransform(new TrainingTransformOptions { Augmentation = new() { MinScale = 300, MaxScale = 256 } }));
        Assert.Throws<ArgumentException>(() => new TrainingTransform(new TrainingTransformOptions { Statistics = null }));
        Assert.Throws<ArgumentException>(() => new TrainingTransform(Options() with { Channels = 1 }));
        var transform = new TrainingTransform(Options());
        Assert.Throws<ArgumentException>(() => transform.Apply(Photo, 1, new float[10]));
    }
}
