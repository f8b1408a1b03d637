using VggSharp.Evaluation;
using Xunit;

namespace VggSharp.Tests.Evaluation;

public class TopKAccuracyTests
{
    [Fact]
    public void CountsTheLabelsRankAmongTheScores()
    {
        var accuracy = new TopKAccuracy(classes: 7);
        float[] scores = [0.9f, 0.8f, 0.7f, 0.6f, 0.5f, 0.4f, 0.3f];
        for (int label = 0; label < 7; label++) accuracy.Add(scores, label);

        Assert.Equal(7, accuracy.Count);
        Assert.Equal(1, accuracy.Correct(1));
        Assert.Equal(2, accuracy.Correct(2));
        Assert.Equal(5, accuracy.Correct(5));
        Assert.Equal(1 - 1 / 7.0, accuracy.Error(1), 12);
        Assert.Equal(2 / 7.0, accuracy.Error(5), 12);
        Assert.Equal(5 / 7.0, accuracy.Accuracy(5), 12);
    }

    [Fact]
    public void TopOneAgreesWithTheConfusionMatrixAndTopKWithSortingOnRandomRowsWithTies()
    {
        var random = new Random(3);
        var accuracy = new TopKAccuracy(10, maxK: 5);
        var matrix = new ConfusionMatrix(10);
        var expected = new long[6];
        for (int n = 0; n < 500; n++)
        {
            // Few distinct values, so ties are common.
            float[] row = Enumerable.Range(0, 10).Select(_ => (float)random.Next(4)).ToArray();
            int label = random.Next(10);
            accuracy.Add(row, label);
            matrix.Add(row, label);
            // Stable sort by descending score: ties keep the lower class first.
            int rank = Enumerable.Range(0, 10).OrderByDescending(c => row[c]).ToList().IndexOf(label);
            for (int k = 1; k <= 5; k++) if (rank < k) expected[k]++;
        }

        Assert.Equal(matrix.Correct, accuracy.Correct(1));
        for (int k = 1; k <= 5; k++) Assert.Equal(expected[k], accuracy.Correct(k));
    }

    [Fact]
    public void ANaNScoreForTheLabelIsNeverCorrect()
    {
        var accuracy = new TopKAccuracy(3, maxK: 3);
        accuracy.Add([float.NaN, 0f, 1f], 0);
        Assert.Equal(0, accuracy.Correct(3));
    }

    [Fact]
    public void MergingAddsCountsOfTheSameShape()
    {
        var a = new TopKAccuracy(4, maxK: 2);
        var b = new TopKAccuracy(4, maxK: 2);
        a.Add([1f, 0f, 0f, 0f], 0);
        b.Add([0f, 1f, 0f, 0f], 0);
        b.Add([-1f, 0f, 0f, 1f], 0);

        a.Merge(b);

        Assert.Equal(3, a.Count);
        Assert.Equal(1, a.Correct(1));
        Assert.Equal(2, a.Correct(2));
        Assert.Throws<ArgumentException>(() => a.Merge(new TopKAccuracy(4, maxK: 5)));
    }

    [Fact]
    public void AnEmptyCountHasNoError()
    {
        var accuracy = new TopKAccuracy(5);
        Assert.Equal(0, accuracy.Error(5));
        Assert.Throws<ArgumentOutOfRangeException>(() => accuracy.Correct(6));
    }
}
