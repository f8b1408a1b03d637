using VggSharp.Localisation;
using Xunit;

namespace VggSharp.Tests.Localisation;

public class GreedyBoxMergeTests
{
    [Fact]
    public void OverlappingBoxesPileUpTheirConfidenceAndAnOutlierStaysApart()
    {
        ScoredBox[] boxes =
        [
            new(new BoundingBox(0, 0, 10, 10), 0.3),
            new(new BoundingBox(1, 0, 11, 10), 0.3),
            new(new BoundingBox(40, 40, 50, 50), 0.5),
            new(new BoundingBox(0, 1, 10, 11), 0.2),
        ];
        var merged = GreedyBoxMerge.Merge(boxes);
        Assert.Equal(2, merged.Count);
        // The three overlapping boxes beat the single more confident one.
        Assert.Equal(0.8, merged[0].Score, 12);
        Assert.Equal(0.5, merged[1].Score, 12);
        Assert.InRange(merged[0].Box.Left, 0, 1);
        Assert.InRange(merged[0].Box.Top, 0, 1);
    }

    [Fact]
    public void TheMergedBoxIsTheConfidenceWeightedAverage()
    {
        var merged = GreedyBoxMerge.Combine(new ScoredBox(new BoundingBox(0, 0, 10, 10), 3), new ScoredBox(new BoundingBox(4, 4, 14, 14), 1));
        Assert.Equal(new BoundingBox(1, 1, 11, 11), merged.Box);
        Assert.Equal(4, merged.Score);
    }

    [Fact]
    public void BoxesBelowTheThresholdAreNotMerged()
    {
        // IoU 50/150 = 1/3.
        ScoredBox[] boxes = [new(new BoundingBox(0, 0, 10, 10), 1), new(new BoundingBox(5, 0, 15, 10), 2)];
        Assert.Equal(2, GreedyBoxMerge.Merge(boxes, threshold: 0.5).Count);
        var merged = Assert.Single(GreedyBoxMerge.Merge(boxes, threshold: 0.3));
        Assert.Equal(3, merged.Score);
        Assert.Equal(2, GreedyBoxMerge.Merge(boxes, threshold: 0.5)[0].Score);
    }

    [Fact]
    public void TheMostOverlappingPairGoesFirst()
    {
        // b and c overlap most (IoU 0.9); merged, they overlap a by 0.40, below the threshold (a and b: 0.43).
        var a = new ScoredBox(new BoundingBox(0, 0, 10, 10), 1);
        var b = new ScoredBox(new BoundingBox(4, 0, 14, 10), 1);
        var c = new ScoredBox(new BoundingBox(4.5, 0, 14.5, 10), 1);
        var merged = GreedyBoxMerge.Merge([a, b, c], threshold: 0.45);
        Assert.Equal(2, merged.Count);
        Assert.Equal(2, merged[0].Score);
        Assert.Equal(4.25, merged[0].Box.Left, 12);
    }
}
