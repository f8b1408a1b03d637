using VggSharp.Data.Transforms;
using VggSharp.Models;
using Xunit;

namespace VggSharp.Tests.Data;

public class EvaluationTransformTests
{
    [Fact]
    public void GridCoversCornersAndCentre()
    {
        var grid = EvaluationCrops.Grid(341, 256, 224);
        Assert.Equal(25, grid.Length);
        Assert.Equal(new PixelRegion(0, 0, 224, 224), grid[0]);
        Assert.Equal(new PixelRegion(117, 0, 224, 224), grid[4]);
        Assert.Equal(new PixelRegion(0, 32, 224, 224), grid[20]);
        Assert.Equal(new PixelRegion(117, 32, 224, 224), grid[24]);
        Assert.Equal(EvaluationCrops.Centre(341, 256, 224), grid[12]);
        Assert.Equal(new PixelRegion(58, 16, 224, 224), grid[12]); // 58.5 rounds to even
        // Evenly spaced: 117 / 4 = 29.25 per step.
        Assert.Equal([0, 29, 58, 88, 117], grid.Take(5).Select(r => r.X));
    }

    [Fact]
    public void GridOfAnExactFitIsOneRepeatedCrop()
    {
        Assert.All(EvaluationCrops.Grid(224, 224, 224), r => Assert.Equal(new PixelRegion(0, 0, 224, 224), r));
        Assert.Equal([new PixelRegion(3, 1, 4, 4)], EvaluationCrops.Grid(10, 6, 4, count: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => EvaluationCrops.Grid(100, 100, 101));
    }

    [Fact]
    public void CropsMatchTheTrainingPathWithoutRandomness()
    {
        var image = ResamplerTests.Noise(90, 70, 3, seed: 21);
        var preprocessing = new Preprocessing(1f / 255, [0.5f, 0.4f, 0.3f], [0.2f, 0.25f, 0.3f], Bgr: true);
        var evaluation = new EvaluationTransform(24, 3, preprocessing);
        var rescaled = evaluation.Rescale(image, 32);
        Assert.Equal((41, 32), (rescaled.Width, rescaled.Height));

        var training = new TrainingTransform(new TrainingTransformOptions
        {
            CropSize = 24, Augmentation = new() { MinScale = 32, MaxScale = 32, ColourShiftSigma = 0 }, Preprocessing = preprocessing,
        });
        for (ulong key = 0; key < 8; key++)
        {
            var trained = new float[training.InputLength];
            var choice = training.Apply(image, key, trained);
            var evaluated = new float[evaluation.CropLength];
            evaluation.Crop(rescaled, choice.Crop, choice.Flipped, evaluated);
            Assert.Equal(trained, evaluated);
        }
    }

    [Fact]
    public void WholeImageIsTheLargestCrop()
    {
        var image = ResamplerTests.Noise(50, 40, 1, seed: 22);
        var evaluation = new EvaluationTransform(16, 3, Preprocessing.Caffe);
        var rescaled = evaluation.Rescale(image, 20);
        using var whole = evaluation.Whole(rescaled, flip: true);
        Assert.Equal([1, 3, 20, 25], whole.Shape.Dimensions.ToArray());
        var centre = new float[evaluation.CropLength];
        evaluation.CentreCrop(rescaled, flip: false, centre);
        var region = EvaluationCrops.Centre(25, 20, 16);
        // Flipped whole image: column x holds source column 24 - x.
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 16; y++)
                for (int x = 0; x < 16; x++)
                    Assert.Equal(centre[(c * 16 + y) * 16 + x], whole.Span[(c * 20 + region.Y + y) * 25 + 24 - (region.X + x)]);
    }

    [Fact]
    public void TestScaleBelowTheCropIsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new EvaluationTransform(224, 3, Preprocessing.Caffe).Rescale(ResamplerTests.Noise(300, 300, 3, 1), 200));
}
