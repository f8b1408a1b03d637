using VggSharp.Data.Transforms;
using VggSharp.Localisation;
using Xunit;

namespace VggSharp.Tests.Localisation;

public class BoundingBoxTests
{
    [Fact]
    public void IntersectionOverUnionOfKnownBoxes()
    {
        var a = new BoundingBox(0, 0, 10, 10);
        Assert.Equal(1, a.IntersectionOverUnion(a));
        // Half of each overlaps: 50 / (100 + 100 - 50).
        Assert.Equal(50.0 / 150, a.IntersectionOverUnion(new BoundingBox(5, 0, 15, 10)), 12);
        Assert.Equal(25.0 / 100, a.IntersectionOverUnion(new BoundingBox(0, 0, 5, 5)), 12);
        Assert.Equal(0, a.IntersectionOverUnion(new BoundingBox(10, 0, 20, 10)));
        Assert.Equal(0, a.IntersectionOverUnion(new BoundingBox(3, 3, 3, 8)));
        Assert.Equal(a.IntersectionOverUnion(new BoundingBox(2, -4, 7, 6)), new BoundingBox(2, -4, 7, 6).IntersectionOverUnion(a), 15);
    }

    [Fact]
    public void VocCornersAreOneBasedAndInclusive()
    {
        var box = BoundingBox.FromVoc(1, 1, 10, 20);
        Assert.Equal(new BoundingBox(0, 0, 10, 20), box);
        Assert.Equal((10.0, 20.0), (box.Width, box.Height));
    }

    [Fact]
    public void FlipRescaleAndCropMoveTheBoxWithThePixels()
    {
        // A 100x50 image rescaled to S = 25 is 50x25; a box [20, 10, 60, 30) becomes [10, 5, 30, 15), then the 20x20
        // crop at (5, 2) puts it at [5, 3, 20, 13) (clipped at 20), and flipping the crop mirrors it to [0, 3, 15, 13).
        var box = new BoundingBox(20, 10, 60, 30);
        var crop = new PixelRegion(5, 2, 20, 20);
        Assert.Equal(new BoundingBox(5, 3, 20, 13), BoxGeometry.ToCrop(box, 100, 50, 25, crop, flipped: false));
        Assert.Equal(new BoundingBox(0, 3, 15, 13), BoxGeometry.ToCrop(box, 100, 50, 25, crop, flipped: true));
        // A box outside the crop is empty there.
        Assert.Equal(0, BoxGeometry.ToCrop(new BoundingBox(90, 0, 100, 5), 100, 50, 25, crop, flipped: false).Area);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FromCropUndoesToCropForABoxInsideTheCrop(bool flipped)
    {
        var box = new BoundingBox(31, 17, 52, 40);
        var crop = new PixelRegion(7, 3, 40, 40);
        var there = BoxGeometry.ToCrop(box, 90, 60, 48, crop, flipped);
        var back = BoxGeometry.FromCrop(there, 90, 60, 48, crop, flipped);
        Assert.Equal(box.Left, back.Left, 9);
        Assert.Equal(box.Top, back.Top, 9);
        Assert.Equal(box.Right, back.Right, 9);
        Assert.Equal(box.Bottom, back.Bottom, 9);
    }

    [Fact]
    public void TheTargetOfATrainingSampleFollowsTheTransformsChoice()
    {
        var transform = new TrainingTransform(new TrainingTransformOptions { CropSize = 16, Augmentation = new() { MinScale = 16, MaxScale = 24, ColourShiftSigma = 0 }, Channels = 1 });
        var box = new BoundingBox(8, 4, 20, 28);
        var encoded = new float[4];
        for (ulong key = 0; key < 20; key++)
        {
            var choice = transform.Choose(32, 32, key);
            var expected = BoxGeometry.ToCrop(box, 32, 32, choice);
            BoxEncoding.Encode(expected, 16, encoded);
            var decoded = BoxEncoding.Decode(encoded, 16);
            Assert.Equal(expected.CentreX, decoded.CentreX, 4);
            Assert.Equal(expected.Width, decoded.Width, 4);
            Assert.InRange(decoded.Right, 0, 16.0001);
        }
    }
}
