using VggSharp.Kernels;
using VggSharp.Layers;
using VggSharp.Tensors;
using Xunit;

namespace VggSharp.Tests.Layers;

/// <summary>Finite-difference checks of every layer's backward, for inputs and parameters, on every backend.</summary>
public class GradientCheckTests
{
    private static readonly ForwardContext Training = new() { Training = true, Seed = 7, Step = 3 };

    private static T On<T>(T layer, string backend) where T : Layer
    {
        layer.Backend = TestBackends.Create(backend);
        return layer;
    }

    private static void Randomise(Layer layer, int seed)
    {
        foreach (var p in layer.Parameters)
        {
            using var r = TestData.Random(seed++, p.Value.Shape.ToArray());
            p.Value.CopyFrom(r);
        }
    }

    /// <summary>Values kept at least 0.1 away from zero, so ReLU's kink is never within a finite-difference step.</summary>
    private static Tensor AwayFromZero(int seed, params int[] shape)
    {
        var t = TestData.Random(seed, shape);
        var s = t.Span;
        for (int i = 0; i < s.Length; i++) s[i] = MathF.CopySign(0.1f + MathF.Abs(s[i]), s[i]);
        return t;
    }

    /// <summary>Distinct values at least 0.05 apart, so no max-pool window has a near tie.</summary>
    private static Tensor Distinct(int seed, params int[] shape)
    {
        var t = new Tensor(shape);
        var values = Enumerable.Range(0, t.Length).Select(i => (i - t.Length / 2) * 0.05f).ToArray();
        new Random(seed).Shuffle(values);
        values.CopyTo(t.Span);
        return t;
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void Conv2d3x3(string backend)
    {
        using var layer = On(new Conv2d("c", 3, 5, 3, 1), backend);
        Randomise(layer, 1);
        using var x = TestData.Random(2, 2, 3, 6, 5);
        GradientChecker.Check(layer, x, Training);
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void Conv2d1x1AndFullyConvolutional7x7(string backend)
    {
        using var pointwise = On(new Conv2d("c1", 4, 3, 1, 0), backend);
        Randomise(pointwise, 3);
        using var x1 = TestData.Random(4, 1, 4, 5, 3);
        GradientChecker.Check(pointwise, x1, Training);

        using var dense = On(new Conv2d("c7", 2, 3, 7, 0), backend);
        Randomise(dense, 5);
        using var x7 = TestData.Random(6, 2, 2, 9, 8);
        GradientChecker.Check(dense, x7, Training);
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void Linear(string backend)
    {
        using var layer = On(new Linear("l", 7, 5), backend);
        Randomise(layer, 7);
        using var x = TestData.Random(8, 3, 7);
        GradientChecker.Check(layer, x, Training);
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void ReLU(string backend)
    {
        using var layer = On(new ReLU("r"), backend);
        using var x = AwayFromZero(9, 2, 3, 4, 5);
        GradientChecker.Check(layer, x, Training, epsilon: 1e-2);
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void MaxPool(string backend)
    {
        using var layer = On(new MaxPool2d("m"), backend);
        using var x = Distinct(10, 2, 3, 7, 6);
        GradientChecker.Check(layer, x, Training, epsilon: 1e-2, samples: 84);
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void LocalResponseNorm(string backend)
    {
        // A large alpha makes the normalisation's cross-channel term matter; Krizhevsky's 1e-4 would hide a wrong one.
        using var layer = On(new LocalResponseNorm("n", new LrnParameters(5, 0.5f, 0.75f, 2f)), backend);
        using var x = TestData.Random(11, 2, 7, 3, 4);
        GradientChecker.Check(layer, x, Training, epsilon: 1e-2);
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void BatchNormTrainingMode(string backend)
    {
        using var layer = On(new BatchNorm2d("b", 3), backend);
        Randomise(layer, 12);
        using var x = TestData.Random(13, 4, 3, 3, 2);
        GradientChecker.Check(layer, x, Training);
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void DropoutInTrainingMode(string backend)
    {
        using var layer = On(new Dropout("d", 0.5f), backend);
        using var x = TestData.Random(14, 3, 20);
        GradientChecker.Check(layer, x, Training);
    }

    [Fact]
    public void Flatten()
    {
        using var layer = On(new Flatten("f"), "reference");
        using var x = TestData.Random(15, 2, 3, 2, 2);
        GradientChecker.Check(layer, x, Training);
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void SoftmaxCrossEntropy(string backend)
    {
        var b = TestBackends.Create(backend);
        using var loss = new SoftmaxCrossEntropyLoss(b);
        using var logits = TestData.Random(16, 4, 6);
        int[] labels = [0, 5, 2, 2];
        loss.Compute(logits, labels);
        var analytic = loss.Gradient.ToArray();
        for (int i = 0; i < logits.Length; i++)
        {
            double numeric = GradientChecker.CentralDifference(logits, i, 1e-2, () => loss.Compute(logits, labels));
            Assert.True(GradientChecker.Agree(numeric, analytic[i]), $"d/dlogits[{i}]: numeric {numeric}, analytic {analytic[i]}");
        }
    }

    /// <summary>The checker's tolerance is tight enough to see an analytic gradient that is 1% off, in any one of them.</summary>
    [Theory]
    [InlineData("convolution")]
    [InlineData("batch norm")]
    [InlineData("LRN")]
    public void APlantedOnePercentErrorIsReported(string kind)
    {
        using Layer layer = kind switch
        {
            "convolution" => On(new Conv2d("c", 3, 5, 3, 1), "reference"),
            "batch norm" => On(new BatchNorm2d("b", 3), "reference"),
            _ => On(new LocalResponseNorm("n", new LrnParameters(5, 0.5f, 0.75f, 2f)), "reference"),
        };
        Randomise(layer, 17);
        using var x = TestData.Random(18, 2, 3, 6, 5);
        var analytic = GradientChecker.AnalyticGradients(layer, x, Training);
        Assert.Empty(GradientChecker.Mismatches(layer, x, Training, analytic));

        foreach (string planted in analytic.Keys)
        {
            var wrong = analytic.ToDictionary(e => e.Key, e => e.Key == planted ? e.Value.Select(g => g * 1.01f).ToArray() : e.Value);
            var mismatches = GradientChecker.Mismatches(layer, x, Training, wrong);
            Assert.NotEmpty(mismatches);
            Assert.All(mismatches, m => Assert.StartsWith($"d/d{planted}[", m));
        }
    }
}
