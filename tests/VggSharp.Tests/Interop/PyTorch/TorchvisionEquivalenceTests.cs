using VggSharp.Interop;
using VggSharp.Layers;
using VggSharp.Models;
using Xunit;

namespace VggSharp.Tests.Interop.PyTorch;

/// <summary>
/// State_dicts saved by torch.save from torchvision's own VGG classes, in both formats, load without being described
/// and give torchvision's eval-mode logits within 1e-4, BN included; at other input sizes, with torchvision's 7x7
/// average pooling folded into fc6, too.
/// </summary>
public class TorchvisionEquivalenceTests
{
    public static TheoryData<string, string> Files => new()
    {
        { "vgg11_bn.pth", "vgg11_bn" }, { "vgg11_bn_legacy.pth", "vgg11_bn" }, { "vgg11_bn_2017.pth", "vgg11_bn" },
        { "vgg16.pth", "vgg16" }, { "vgg16_legacy.pth", "vgg16" },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void LogitsEqualTorchvisionsAt224(string file, string model)
    {
        using var vgg = WeightsFile.Load(PyTorchFixtures.File(file));
        using var input = PyTorchFixtures.Array("input_224.npy");
        using var expected = PyTorchFixtures.Array(model + ".logits.npy");

        var logits = vgg.Forward(input, ForwardContext.Inference);

        Assert.Equal(expected.Shape, logits.Shape);
        double error = TestData.RelativeError(logits.Span, expected.Span);
        Assert.True(error < 1e-4, $"relative error {error}");
    }

    [Theory]
    [InlineData("vgg11_bn.pth", "vgg11_bn", 32)]
    [InlineData("vgg11_bn_legacy.pth", "vgg11_bn", 64)]
    [InlineData("vgg16.pth", "vgg16", 32)]
    [InlineData("vgg16_legacy.pth", "vgg16", 64)]
    public void OtherInputSizesFoldTheAveragePooling(string file, string model, int size)
    {
        using var vgg = WeightsFile.Load(PyTorchFixtures.File(file), new WeightsLoadOptions { InputSize = size });
        using var input = PyTorchFixtures.Array($"input_{size}.npy");
        using var expected = PyTorchFixtures.Array($"{model}.logits{size}.npy");

        var logits = vgg.Forward(input, ForwardContext.Inference);

        Assert.Equal(size, vgg.Options.InputSize);
        double error = TestData.RelativeError(logits.Span, expected.Span);
        Assert.True(error < 1e-4, $"relative error {error}");
    }

    [Theory]
    [InlineData("vgg11_bn.pth", "A-BN")]
    [InlineData("vgg16_legacy.pth", "D")]
    public void TheArchitectureIsInferred(string file, string configuration)
    {
        var options = WeightsFile.ReadOptions(PyTorchFixtures.File(file));

        Assert.Equal(configuration, options.Configuration);
        Assert.Equal(1.0 / 16, options.WidthMultiplier);
        Assert.Equal(10, options.Classes);
        Assert.Equal(16, options.EffectiveHiddenUnits);
        Assert.Equal(3, options.InputChannels);
        Assert.Equal(224, options.InputSize);
        Assert.Equal(Preprocessing.Torchvision, options.EffectivePreprocessing);
    }

    [Theory]
    [InlineData("vgg16.pth", "vgg16_legacy.pth")]
    [InlineData("vgg11_bn.pth", "vgg11_bn_legacy.pth")]
    public void BothFormatsHoldTheSameBytes(string zip, string legacy)
    {
        using var a = WeightsFile.Load(PyTorchFixtures.File(zip));
        using var b = WeightsFile.Load(PyTorchFixtures.File(legacy));

        SmallModels.AssertSame(SmallModels.Snapshot(a), SmallModels.Snapshot(b));
        Assert.Contains(a.State(), e => e.ElementType == StateElementType.Int64 ? BitConverter.ToInt64(e.Bytes) == 3 : true);
    }

    [Fact]
    public void FilesBeforePyTorch041LackTheBatchCountersWhichStayZero()
    {
        using var current = WeightsFile.Load(PyTorchFixtures.File("vgg11_bn.pth"));
        using var old = WeightsFile.Load(PyTorchFixtures.File("vgg11_bn_2017.pth"));

        foreach (var (expected, actual) in current.State().Zip(old.State()))
        {
            if (actual.ElementType == StateElementType.Int64)
            {
                Assert.Equal(3, BitConverter.ToInt64(expected.Bytes)); // the script's three train-mode forwards
                Assert.Equal(0, BitConverter.ToInt64(actual.Bytes));
            }
            else Assert.True(expected.Bytes.SequenceEqual(actual.Bytes), actual.Key);
        }
    }

    [Fact]
    public void AConvertedFileKeepsTheModelAndItsPreprocessing()
    {
        using var directory = new TemporaryDirectory();
        string path = directory.File("vgg16.safetensors");

        var options = WeightsFile.Convert(PyTorchFixtures.File("vgg16_legacy.pth"), path);
        using var original = WeightsFile.Load(PyTorchFixtures.File("vgg16.pth"));
        using var converted = VggModelFile.Load(path);

        Assert.Equal(options, converted.Options);
        Assert.Equal(Preprocessing.Torchvision, converted.Options.EffectivePreprocessing);
        SmallModels.AssertSame(SmallModels.Snapshot(original), SmallModels.Snapshot(converted));
    }

    [Fact]
    public void FormatsAreToldByContent()
    {
        using var directory = new TemporaryDirectory();
        string renamed = directory.File("weights.bin");
        File.Copy(PyTorchFixtures.File("vgg16_legacy.pth"), renamed);

        Assert.Equal(WeightsFormat.PyTorch, WeightsFile.Detect(PyTorchFixtures.File("vgg16.pth")));
        Assert.Equal(WeightsFormat.PyTorch, WeightsFile.Detect(renamed));
        Assert.Equal(WeightsFormat.Safetensors, WeightsFile.Detect(Path.Combine(AppContext.BaseDirectory, "fixtures", "vgg_tiny.safetensors")));
        using var source = WeightsFile.Open(renamed);
        Assert.Equal("PyTorch legacy", source.FormatName);
    }
}
