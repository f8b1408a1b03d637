using VggSharp.Models;
using Xunit;

namespace VggSharp.Tests.Models;

public class WarmStartTests
{
    private static VggModel Make(string config, int classes = 10, ulong seed = 1)
    {
        var model = VggModel.Create(new VggOptions { Configuration = config, WidthMultiplier = 0.125, InputSize = 32, Head = VggHead.Small, Classes = classes }, scheme: InitScheme.Paper, seed: seed);
        return model;
    }

    private static byte[] Bytes(VggModel m, string role) =>
        m.FindLayer(role)!.State().SelectMany(e => e.Bytes.ToArray()).ToArray();

    [Theory]
    [InlineData("B")]
    [InlineData("D")]
    [InlineData("E")]
    public void DeepNetTakesTheFirstFourConvolutionsAndTheFullyConnectedLayersOfA(string deep)
    {
        using var a = Make("A", seed: 1);
        using var target = Make(deep, seed: 2);
        var untouched = Bytes(target, "conv1_2");
        var copied = WarmStart.Apply(target, a);
        Assert.Equal(["conv1_1", "conv2_1", "conv3_1", "conv3_2", "fc6", "fc7", "fc8"], copied);
        foreach (string role in copied) Assert.Equal(Bytes(a, role), Bytes(target, role));
        Assert.Equal(untouched, Bytes(target, "conv1_2"));
        Assert.NotEqual(Bytes(a, "conv4_1"), Bytes(target, "conv4_1"));
    }

    [Fact]
    public void BatchNormLayersComeAlongWhenBothNetsHaveThem()
    {
        using var a = Make("A-BN", seed: 1);
        using var d = Make("D-BN", seed: 2);
        var copied = WarmStart.Apply(d, a);
        Assert.Contains("bn3_2", copied);
        Assert.Equal(Bytes(a, "bn3_2"), Bytes(d, "bn3_2"));
    }

    [Fact]
    public void AMismatchIsReportedAndLeavesTheTargetUntouched()
    {
        using var a = Make("A", classes: 10);
        using var d = Make("D", classes: 7, seed: 3);
        var before = d.State().Select(e => e.Bytes.ToArray()).ToList();
        var e = Assert.Throws<ArgumentException>(() => WarmStart.Apply(d, a));
        Assert.Contains("fc8", e.Message);
        Assert.Equal(before, d.State().Select(s => s.Bytes.ToArray()));
    }
}
