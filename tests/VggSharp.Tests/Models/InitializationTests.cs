using VggSharp.Layers;
using VggSharp.Models;
using Xunit;

namespace VggSharp.Tests.Models;

public class InitializationTests
{
    private static VggOptions Options(string config = "A") =>
        new() { Configuration = config, WidthMultiplier = 0.25, InputSize = 32, Head = VggHead.Small, Classes = 10 };

    private static VggModel Make(InitScheme scheme, ulong seed, string config = "A") => VggModel.Create(Options(config), scheme: scheme, seed: seed);

    private static (double Mean, double Std, double MaxAbs) Stats(ReadOnlySpan<float> v)
    {
        double sum = 0, sq = 0, max = 0;
        foreach (float x in v) { sum += x; sq += (double)x * x; max = Math.Max(max, Math.Abs(x)); }
        double mean = sum / v.Length;
        return (mean, Math.Sqrt(sq / v.Length - mean * mean), max);
    }

    [Fact]
    public void PaperSchemeDrawsWeightsFromNormalWithStd0_01AndZeroBiases()
    {
        using var model = Make(InitScheme.Paper, 1);
        foreach (var layer in model.Network.Layers)
        foreach (var p in layer.Parameters)
        {
            if (p.Name == "bias") { Assert.All(p.Value.ToArray(), b => Assert.Equal(0f, b)); continue; }
            if (p.Value.Length < 5000) continue;
            var (mean, std, _) = Stats(p.Value.Span);
            Assert.InRange(std, 0.0097, 0.0103);
            Assert.InRange(mean, -0.0005, 0.0005);
        }
    }

    [Fact]
    public void GlorotIsUniformWithinTheFanBound()
    {
        using var model = Make(InitScheme.Glorot, 2);
        var conv = (Conv2d)model.FindLayer("conv4_1")!;
        double bound = Math.Sqrt(6.0 / (conv.InChannels * 9 + conv.OutChannels * 9));
        var (_, std, max) = Stats(conv.Weight.Value.Span);
        Assert.True(max <= bound);
        Assert.InRange(std, bound / Math.Sqrt(3) * 0.97, bound / Math.Sqrt(3) * 1.03);
    }

    [Fact]
    public void KaimingUsesFanOutForConvolutionsAnd0_01ForFullyConnected()
    {
        using var model = Make(InitScheme.Kaiming, 3);
        var conv = (Conv2d)model.FindLayer("conv4_2")!;
        Assert.InRange(Stats(conv.Weight.Value.Span).Std, Math.Sqrt(2.0 / (conv.OutChannels * 9)) * 0.97, Math.Sqrt(2.0 / (conv.OutChannels * 9)) * 1.03);
        var fc = (Linear)model.FindLayer("fc7")!;
        Assert.InRange(Stats(fc.Weight.Value.Span).Std, 0.0095, 0.0105);
    }

    [Fact]
    public void TheSameSeedGivesTheSameBitsAndAnotherSeedDoesNot()
    {
        using var a = Make(InitScheme.Kaiming, 42);
        using var b = Make(InitScheme.Kaiming, 42);
        using var c = Make(InitScheme.Kaiming, 43);
        var first = a.State().Select(e => e.Bytes.ToArray()).ToList();
        Assert.Equal(first, b.State().Select(e => e.Bytes.ToArray()));
        Assert.NotEqual(first[0], c.State().First().Bytes.ToArray());
    }

    [Fact]
    public void BatchNormStartsAtIdentity()
    {
        using var model = Make(InitScheme.Paper, 4, "A-BN");
        var bn = (BatchNorm2d)model.FindLayer("bn1_1")!;
        Assert.All(bn.Weight.Value.ToArray(), w => Assert.Equal(1f, w));
        Assert.All(bn.RunningVariance.ToArray(), v => Assert.Equal(1f, v));
        Assert.Equal(0, bn.BatchesTracked);
    }

    [Fact]
    public void CreateDrawsTheDefaultSchemeFromTheDefaultSeed()
    {
        using var byDefault = VggModel.Create(Options());
        using var drawn = Make(InitScheme.Glorot, 1);
        var weights = byDefault.State().Select(e => e.Bytes.ToArray()).ToList();
        Assert.Equal(weights, drawn.State().Select(e => e.Bytes.ToArray()));
        Assert.Contains(weights[0], b => b != 0);
    }

    [Fact]
    public void CreateUninitializedDrawsNothing()
    {
        using var model = VggModel.CreateUninitialized(Options());
        Assert.All(model.State().Where(e => e.Key.EndsWith(".weight", StringComparison.Ordinal)), e => Assert.DoesNotContain(e.Bytes.ToArray(), b => b != 0));
    }

    [Fact]
    public void AnUnknownSchemeIsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => VggModel.Create(Options(), scheme: (InitScheme)7));
        Assert.StartsWith("Unknown initialisation scheme 7.", e.Message);
    }
}
