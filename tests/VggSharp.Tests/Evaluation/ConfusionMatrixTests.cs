using VggSharp.Evaluation;
using VggSharp.Tensors;
using Xunit;

namespace VggSharp.Tests.Evaluation;

public class ConfusionMatrixTests
{
    [Fact]
    public void CountsArgMaxPredictionsPerTrueClass()
    {
        var matrix = new ConfusionMatrix(["cat", "dog", "fox"]);
        matrix.Add([2f, 1f, 0f], 0);   // cat as cat
        matrix.Add([0.1f, 0.7f, 0.2f], 0); // cat as dog
        matrix.Add([-1f, 3f, 2f], 1);  // dog as dog
        matrix.Add([0f, 0f, 5f], 2);   // fox as fox
        matrix.Add([0f, 0f, 5f], 1);   // dog as fox

        Assert.Equal(5, matrix.Total);
        Assert.Equal(1, matrix[0, 0]);
        Assert.Equal(1, matrix[0, 1]);
        Assert.Equal(1, matrix[1, 1]);
        Assert.Equal(1, matrix[1, 2]);
        Assert.Equal(1, matrix[2, 2]);
        Assert.Equal(3, matrix.Correct);
        Assert.Equal(0.4, matrix.Top1Error, 12);
        Assert.Equal(0.5, matrix.ClassAccuracy(0));
        Assert.Equal(1.0, matrix.ClassAccuracy(2));
        Assert.Equal(2, matrix.ClassTotal(1));
    }

    [Fact]
    public void TiesGoToTheLowerClassAndNaNNeverWins()
    {
        var matrix = new ConfusionMatrix(3);
        matrix.Add([1f, 1f, 0f], 1);
        matrix.Add([float.NaN, 0f, 2f], 2);
        matrix.Add([float.NaN, float.NaN, float.NaN], 0);

        Assert.Equal(1, matrix[1, 0]);
        Assert.Equal(1, matrix[2, 2]);
        Assert.Equal(1, matrix[0, 0]);
    }

    [Fact]
    public void AClassWithoutSamplesHasNoAccuracy()
    {
        var matrix = new ConfusionMatrix(2);
        matrix.Add(0, 0);
        Assert.Null(matrix.ClassAccuracy(1));
        Assert.Equal(0, new ConfusionMatrix(2).Top1Error);
    }

    [Fact]
    public void BatchesCountRowByRow()
    {
        using var scores = new Tensor(3, 2);
        float[] values = [0f, 1f, 1f, 0f, 0.2f, 0.1f];
        values.CopyTo(scores.Span);
        var matrix = new ConfusionMatrix(2);

        matrix.Add(scores, [1, 1, 0]);

        Assert.Equal(2, matrix.Correct);
        Assert.Equal(1, matrix[1, 0]);
        Assert.Throws<ArgumentException>(() => matrix.Add(scores, [1, 1]));
    }

    [Fact]
    public void MergingAddsCounts()
    {
        var a = new ConfusionMatrix(["x", "y"]);
        var b = new ConfusionMatrix(["x", "y"]);
        a.Add(0, 1);
        b.Add(0, 1);
        b.Add(1, 1);

        a.Merge(b);

        Assert.Equal(3, a.Total);
        Assert.Equal(2, a[0, 1]);
        Assert.Throws<ArgumentException>(() => a.Merge(new ConfusionMatrix(["x", "z"])));
    }

    [Fact]
    public void BadRowsAndLabelsAreRefused()
    {
        var matrix = new ConfusionMatrix(3);
        Assert.Throws<ArgumentException>(() => matrix.Add([1f, 2f], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => matrix.Add([1f, 2f, 3f], 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => matrix.Add(-1, 0));
        Assert.Equal(0, matrix.Total);
    }
}
