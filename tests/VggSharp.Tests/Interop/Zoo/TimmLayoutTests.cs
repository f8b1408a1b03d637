using VggSharp.Interop;
using VggSharp.Layers;
using VggSharp.Models;
using Xunit;

namespace VggSharp.Tests.Interop.Zoo;

/// <summary>
/// timm's VGG layout (pre_logits.fc1 a 7x7 convolution, pre_logits.fc2 a 1x1 one, head.fc after a global average
/// pool), as safetensors, .pth and Hugging Face's .bin: loads without being described and gives timm's logits at
/// 224, at smaller sizes (timm pools the map up to 7x7, as torchvision's fold does) and, through the fully-convolutional
/// form, at larger ones (timm's averaged score map).
/// </summary>
public class TimmLayoutTests
{
    public static TheoryData<string, string> Files => new()
    {
        { "timm_vgg11.safetensors", "timm_vgg11" }, { "timm_vgg11.pth", "timm_vgg11" }, { "timm_vgg11_bn.bin", "timm_vgg11_bn" },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void LogitsEqualTimmsAt224(string file, string model)
    {
        var options = WeightsFile.ReadOptions(ZooFixtures.File(file));
        Assert.Equal(model.EndsWith("_bn", StringComparison.Ordinal) ? "A-BN" : "A", options.Configuration);
        Assert.Equal(1.0 / 16, options.WidthMultiplier);
        Assert.Equal(224, options.InputSize);
        Assert.Equal(Preprocessing.Torchvision, options.EffectivePreprocessing);

        using var vgg = WeightsFile.Load(ZooFixtures.File(file));
        ZooFixtures.AssertLogits(vgg, 224, model + ".logits224.npy");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void SmallerInputsArePooledUpAsTimmDoes(string file, string model)
    {
        using var vgg = WeightsFile.Load(ZooFixtures.File(file), new WeightsLoadOptions { InputSize = 64 });
        ZooFixtures.AssertLogits(vgg, 64, model + ".logits64.npy");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void LargerInputsAreTimmsAveragedScoreMap(string file, string model)
    {
        using var vgg = WeightsFile.Load(ZooFixtures.File(file));
        using var dense = vgg.ToFullyConvolutional();
        using var input = ZooFixtures.Array("input_256.npy");
        using var expected = ZooFixtures.Array(model + ".logits256.npy");

        var map = dense.Forward(input, ForwardContext.Inference).ToArray(); // [1, 10, 2, 2]
        float[] averaged = [.. Enumerable.Range(0, 10).Select(c => map.AsSpan(c * 4, 4).ToArray().Average())];

        double error = TestData.RelativeError(averaged, expected.Span);
        Assert.True(error < 1e-4, $"relative error {error}");
    }

    [Fact]
    public void ALargerFixedInputSizeIsRefusedForDenseEvaluation()
    {
        var e = Assert.Throws<WeightsFormatException>(() => WeightsFile.ReadOptions(ZooFixtures.File("timm_vgg11.pth"), new WeightsLoadOptions { InputSize = 256 }));
        Assert.Contains("--protocol dense", e.Message);
        Assert.Contains("timm_vgg11.pth", e.Message);
    }
}
