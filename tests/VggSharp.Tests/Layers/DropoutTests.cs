using VggSharp.Layers;
using VggSharp.Tensors;
using Xunit;

namespace VggSharp.Tests.Layers;

public class DropoutTests
{
    private static float[] MaskOf(long[] samples, long sample, int features, long step = 0)
    {
        using var layer = new Dropout("classifier.2", 0.5f) { Backend = TestBackends.Create("reference") };
        using var ones = new Tensor(samples.Length, features);
        ones.Span.Fill(1f);
        var output = layer.Forward(ones, new ForwardContext { Training = true, Seed = 11, Step = step, SampleIndices = samples });
        return output.Item(Array.IndexOf(samples, sample)).ToArray();
    }

    [Fact]
    public void ASampleGetsTheSameMaskHoweverTheBatchIsSplit()
    {
        var alone = MaskOf([5], 5, 100);
        Assert.Equal(alone, MaskOf([3, 4, 5], 5, 100));
        Assert.Equal(alone, MaskOf([5, 9], 5, 100));
        Assert.NotEqual(alone, MaskOf([5], 5, 100, step: 1));
        Assert.NotEqual(alone, MaskOf([6], 6, 100));
    }

    [Fact]
    public void KeepsAboutHalfAndScalesTheRestByTwo()
    {
        var mask = MaskOf([0], 0, 20000);
        Assert.All(mask, m => Assert.True(m == 0f || m == 2f));
        Assert.InRange(mask.Count(m => m == 0f), 9700, 10300);
    }

    [Fact]
    public void IsTheIdentityInEvaluation()
    {
        using var layer = new Dropout("d", 0.5f) { Backend = TestBackends.Create("reference") };
        using var x = TestData.Random(1, 2, 8);
        var before = x.ToArray();
        Assert.Equal(before, layer.Forward(x, ForwardContext.Inference).ToArray());
    }
}
