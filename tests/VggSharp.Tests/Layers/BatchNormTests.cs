using VggSharp.Layers;
using VggSharp.Tensors;
using Xunit;

namespace VggSharp.Tests.Layers;

public class BatchNormTests
{
    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void TrainingUpdatesRunningStatisticsAsPyTorchDoesAndEvaluationUsesThem(string backend)
    {
        using var bn = new BatchNorm2d("b", 2) { Backend = TestBackends.Create(backend) };
        // Channel 0 holds 1..8, channel 1 holds 10 everywhere: batch of 2, 2x2 maps.
        using var x = Tensor.FromArray([1, 2, 3, 4, 10, 10, 10, 10, 5, 6, 7, 8, 10, 10, 10, 10], 2, 2, 2, 2);
        var y = bn.Forward(x, new ForwardContext { Training = true }).ToArray();
        Assert.Equal(1, bn.BatchesTracked);
        // Mean 4.5, biased variance 5.25, unbiased 6; momentum 0.1.
        Assert.Equal(0.45f, bn.RunningMean.Span[0], 5);
        Assert.Equal(0.9f + 0.6f, bn.RunningVariance.Span[0], 5);
        Assert.Equal(1.0f, bn.RunningMean.Span[1], 5);
        Assert.Equal((float)((1 - 4.5) / Math.Sqrt(5.25 + 1e-5)), y[0], 5);
        Assert.Equal(0f, y[4], 5);

        var e = bn.Forward(x, ForwardContext.Inference).ToArray();
        Assert.Equal((float)((1 - 0.45) / Math.Sqrt(1.5 + 1e-5)), e[0], 5);
        Assert.Equal(1, bn.BatchesTracked);
    }
}
