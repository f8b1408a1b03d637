using VggSharp.Models;
using Xunit;

namespace VggSharp.Tests.Models;

public class ParameterCountTests
{
    [Theory]
    [InlineData("A", 132_863_336L)]
    [InlineData("A-LRN", 132_863_336L)]
    [InlineData("B", 133_047_848L)]
    [InlineData("C", 133_638_952L)]
    [InlineData("D", 138_357_544L)]
    [InlineData("E", 143_667_240L)]
    [InlineData("A-BN", 132_868_840L)]
    [InlineData("B-BN", 133_053_736L)]
    [InlineData("D-BN", 138_365_992L)]
    [InlineData("E-BN", 143_678_248L)]
    [InlineData("vgg16", 138_357_544L)]
    [InlineData("vgg19_bn", 143_678_248L)]
    public void MatchesTable2AndTorchvision(string configuration, long expected)
    {
        using var model = VggModel.CreateUninitialized(new VggOptions { Configuration = configuration });
        Assert.Equal(expected, model.ParameterCount);
        Assert.Equal(expected, ModelSummary.Of(model).Parameters);
    }

    [Fact]
    public void ConfigurationDHas15_47GigaMultiplyAddsAt224()
    {
        using var model = VggModel.CreateUninitialized(new VggOptions { Configuration = "D" });
        Assert.Equal(15_470_264_320L, ModelSummary.Of(model).MultiplyAdds);
    }
}
