using VggSharp.Models;
using Xunit;

namespace VggSharp.Tests.Models;

public class ConfigurationTests
{
    [Theory]
    [InlineData("A", 11)]
    [InlineData("A-LRN", 11)]
    [InlineData("B", 13)]
    [InlineData("C", 16)]
    [InlineData("D", 16)]
    [InlineData("E", 19)]
    [InlineData("e-bn", 19)]
    public void WeightLayersMatchTable1(string name, int weightLayers) =>
        Assert.Equal(weightLayers, VggConfiguration.Parse(name).WeightLayers);

    [Fact]
    public void ConfigurationCHasOneByOneConvolutionsAsTheThirdOfStages3To5()
    {
        var c = VggConfiguration.Parse("C");
        var oneByOne = c.Features.Where(f => f.KernelSize == 1).Select(f => f.Channels).ToArray();
        Assert.Equal([256, 512, 512], oneByOne);
        using var model = VggModel.Create(new VggOptions { Configuration = "C", WidthMultiplier = 0.0625, InputSize = 32, Head = VggHead.Small });
        Assert.All(new[] { "conv3_3", "conv4_3", "conv5_3" }, role => Assert.Equal(1, ((VggSharp.Layers.Conv2d)model.FindLayer(role)!).KernelSize));
    }

    [Theory]
    [InlineData("vgg11", "A")]
    [InlineData("vgg11_bn", "A-BN")]
    [InlineData("vgg13", "B")]
    [InlineData("vgg13_bn", "B-BN")]
    [InlineData("vgg16", "D")]
    [InlineData("vgg16_bn", "D-BN")]
    [InlineData("vgg19", "E")]
    [InlineData("VGG19_BN", "E-BN")]
    [InlineData("a-lrn", "A-LRN")]
    public void TorchvisionNamesAreAliases(string alias, string canonical)
    {
        var config = VggConfiguration.Parse(alias);
        Assert.Equal(canonical, config.Name);
        Assert.Equal(canonical.EndsWith("-BN"), config.BatchNorm);
    }

    [Fact]
    public void CustomLayerStringsParseAndCanonicalise()
    {
        var config = VggConfiguration.Parse(" 64, M ,128,m,256/1,LRN,M");
        Assert.Equal("64,M,128,M,256/1,LRN,M", config.Name);
        Assert.Equal(3, config.PoolCount);
        Assert.False(config.BatchNorm);
        var bn = VggConfiguration.Parse("BN:32,M");
        Assert.True(bn.BatchNorm);
        Assert.Equal("BN:32,M", bn.Name);
        Assert.Equal(bn.Name, VggConfiguration.Parse(bn.Name).Name);
    }

    [Theory]
    [InlineData("F")]
    [InlineData("vgg17")]
    [InlineData("64,X,M")]
    [InlineData("64,M,0")]
    [InlineData("64/5")]
    [InlineData("M,64")]
    [InlineData("A-LRN-BN")]
    [InlineData("")]
    public void BadConfigurationsFailWithAClearMessage(string text)
    {
        var e = Assert.Throws<FormatException>(() => VggConfiguration.Parse(text));
        Assert.Contains(text.Length > 0 ? "onfiguration" : "", e.Message);
    }

    [Fact]
    public void InputTooSmallForThePoolsIsRefusedBeforeAllocating()
    {
        var e = Assert.Throws<ArgumentException>(() => VggModel.Create(new VggOptions { Configuration = "D", InputSize = 28 }));
        Assert.Contains("at least 32x32", e.Message);
    }

    [Fact]
    public void BatchNormVariantsInsertBatchNormBeforeEachReLUWithTorchvisionIndices()
    {
        using var model = VggModel.Create(new VggOptions { Configuration = "A-BN", WidthMultiplier = 0.125, InputSize = 32, Head = VggHead.Small });
        var keys = model.State().Select(e => e.Key).ToList();
        Assert.Equal(["features.0.weight", "features.0.bias", "features.1.weight", "features.1.bias", "features.1.running_mean",
            "features.1.running_var", "features.1.num_batches_tracked", "features.4.weight"], keys.Take(8));
        Assert.Equal(["classifier.0.weight", "classifier.0.bias", "classifier.3.weight", "classifier.3.bias", "classifier.6.weight", "classifier.6.bias"],
            keys.Where(k => k.StartsWith("classifier")));
    }

    [Fact]
    public void WidthMultiplierAndSmallHeadScaleTheNetwork()
    {
        using var model = VggModel.Create(new VggOptions
        {
            Configuration = "D", WidthMultiplier = 0.25, InputSize = 32, InputChannels = 1, Classes = 10, Head = VggHead.Small,
        });
        var conv = (VggSharp.Layers.Conv2d)model.FindLayer("conv5_3")!;
        Assert.Equal(128, conv.OutChannels);
        Assert.Equal(1, ((VggSharp.Layers.Conv2d)model.FindLayer("conv1_1")!).InChannels);
        var fc6 = (VggSharp.Layers.Linear)model.FindLayer("fc6")!;
        Assert.Equal((128, 512), (fc6.InFeatures, fc6.OutFeatures));
        Assert.Equal(10, ((VggSharp.Layers.Linear)model.FindLayer("fc8")!).OutFeatures);
    }
}
