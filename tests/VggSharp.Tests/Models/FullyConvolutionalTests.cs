using VggSharp.Layers;
using VggSharp.Models;
using VggSharp.Tensors;
using Xunit;

namespace VggSharp.Tests.Models;

public class FullyConvolutionalTests
{
    private static VggOptions Small(string config) => new()
    {
        Configuration = config, WidthMultiplier = 0.0625, InputSize = 64, Classes = 7, HiddenUnits = 24,
    };

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void GivesTheSameLogitsAtTheTrainingSizeAndAScoreMapOnALargerInput(string backend)
    {
        using var model = VggModel.Create(Small("A"), TestBackends.Create(backend), scheme: InitScheme.Kaiming, seed: 5);
        using var dense = model.ToFullyConvolutional();
        Assert.True(dense.IsFullyConvolutional);
        Assert.Equal(7, ((Conv2d)dense.FindLayer("fc8")!).OutChannels);
        Assert.Equal(2, ((Conv2d)dense.FindLayer("fc6")!).KernelSize);

        using var x = TestData.Random(1, 2, 3, 64, 64);
        var logits = model.Forward(x, ForwardContext.Inference).ToArray();
        var map = dense.Forward(x, ForwardContext.Inference);
        Assert.Equal(new TensorShape(2, 7, 1, 1), map.Shape);
        Assert.True(TestData.RelativeError(map.ToArray(), logits) < 1e-5);

        using var big = TestData.Random(2, 1, 3, 96, 128);
        var scores = dense.Forward(big, ForwardContext.Inference);
        Assert.Equal(new TensorShape(1, 7, 2, 3), scores.Shape);
    }

    [Fact]
    public void CopiesEveryWeightExactly()
    {
        using var model = VggModel.Create(Small("B-BN"), scheme: InitScheme.Glorot, seed: 9);
        using var dense = model.ToFullyConvolutional();
        var original = model.State().ToDictionary(e => e.Key, e => e.Bytes.ToArray());
        foreach (var e in dense.State()) Assert.Equal(original[e.Key], e.Bytes.ToArray());
        Assert.Equal(original.Count, dense.State().Count());
    }
}
