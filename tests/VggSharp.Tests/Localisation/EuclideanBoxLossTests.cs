using VggSharp.Kernels;
using VggSharp.Localisation;
using VggSharp.Tensors;
using Xunit;

namespace VggSharp.Tests.Localisation;

public class EuclideanBoxLossTests
{
    [Theory]
    [InlineData(BoxRegression.SingleClass)]
    [InlineData(BoxRegression.PerClass)]
    public void TheGradientMatchesFiniteDifferencesOfTheMeanLoss(BoxRegression regression)
    {
        const int n = 3, classes = 4;
        var objective = new LocalisationObjective { Regression = regression };
        int outputs = objective.OutputsFor(classes);
        var predictions = TestData.Random(5, n, outputs);
        int[] labels = [2, 0, 3];
        float[] targets = TestData.Random(6, n * 4).ToArray();
        using var loss = new EuclideanBoxLoss(Backends.Fast, objective, cropSize: 32);
        using var totals = new Tensor(2);
        loss.Compute(predictions, labels, targets, share: 1, totals);
        float[] gradient = loss.Gradient.ToArray();

        double MeanLoss(float[] values)
        {
            var scratch = new float[values.Length];
            return loss.Evaluate(values, outputs, labels, targets, 1f / n, scratch).Loss / n;
        }
        float[] p = predictions.ToArray();
        Assert.Equal(MeanLoss(p), totals.ToArray()[0] / n, 5);
        const float h = 1e-2f;
        for (int i = 0; i < p.Length; i++)
        {
            var plus = (float[])p.Clone();
            var minus = (float[])p.Clone();
            plus[i] += h;
            minus[i] -= h;
            // The loss is quadratic: the central difference is exact up to rounding.
            double numeric = (MeanLoss(plus) - MeanLoss(minus)) / (2 * h);
            Assert.Equal(numeric, gradient[i], 3);
        }
        // Only the boxes of the samples' classes carry a gradient under PCR.
        if (regression == BoxRegression.PerClass) Assert.Equal(0, gradient[0 * outputs + 0]);
        predictions.Dispose();
    }

    [Fact]
    public void ACorrectBoxIsCountedAndTheShareScalesTheGradient()
    {
        var objective = new LocalisationObjective { Regression = BoxRegression.SingleClass };
        using var loss = new EuclideanBoxLoss(Backends.Fast, objective, cropSize: 10);
        using var predictions = new Tensor(2, 4);
        predictions.CopyFrom([0.5f, 0.5f, 0.5f, 0.5f, 0.1f, 0.1f, 0.1f, 0.1f]);
        using var totals = new Tensor(2);
        loss.Compute(predictions, [0, 0], [0.5f, 0.5f, 0.5f, 0.5f, 0.8f, 0.8f, 0.2f, 0.2f], share: 0.5f, totals);
        var sums = totals.ToArray();
        Assert.Equal(1, sums[1]);
        Assert.Equal(0.5 * (0.49 + 0.49 + 0.01 + 0.01), sums[0], 5);
        Assert.Equal(0.5f / 2 * (0.1f - 0.8f), loss.Gradient.ToArray()[4], 6);
    }
}
