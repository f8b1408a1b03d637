using VggSharp.Interop;
using VggSharp.Layers;
using VggSharp.Models;
using Xunit;

namespace VggSharp.Tests.Interop;

/// <summary>
/// A state_dict without metadata (torchvision's keys, which VggSharp's models share) describes its architecture: the
/// configuration of Table 1 and its batch norm, the width multiplier, classes, hidden units, input channels and size.
/// </summary>
public class ConfigurationInferenceTests
{
    /// <summary>Writes <paramref name="options"/>' model as a bare state_dict, as PyTorch's safetensors would, and returns the path.</summary>
    private static string StateDict(TemporaryDirectory directory, VggOptions options, Func<StateEntry, bool>? keep = null)
    {
        string path = directory.File("state_dict.safetensors");
        using var model = VggModel.Create(options);
        SafetensorsWriter.Write(path, [.. model.State().Where(keep ?? (_ => true)).Select(e => new SafetensorsTensorSource(
            e.Key, e.ElementType == StateElementType.Int64 ? SafetensorsDataType.I64 : SafetensorsDataType.F32, e.Shape.Select(d => (long)d).ToArray(), () => e.Bytes))]);
        return path;
    }

    [Theory]
    [InlineData("A", 0.125, 32)]
    [InlineData("A-LRN", 0.25, 32)]
    [InlineData("B", 0.5, 64)]
    [InlineData("C", 0.125, 32)]
    [InlineData("D", 0.0625, 224)]
    [InlineData("E", 0.125, 96)]
    [InlineData("A-BN", 0.25, 32)]
    [InlineData("B-BN", 0.125, 64)]
    [InlineData("D-BN", 0.125, 32)]
    [InlineData("E-BN", 0.0625, 32)]
    public void TheConfigurationWidthAndSizesAreInferred(string configuration, double width, int input)
    {
        using var directory = new TemporaryDirectory();
        var written = new VggOptions
        {
            Configuration = configuration, WidthMultiplier = width, InputSize = input, Classes = 7, InputChannels = 1, Head = VggHead.Small, HiddenUnits = 24,
        };

        var inferred = WeightsFile.ReadOptions(StateDict(directory, written));

        Assert.Equal(configuration, inferred.Configuration);
        Assert.Equal(width, inferred.WidthMultiplier);
        Assert.Equal(input, inferred.InputSize);
        Assert.Equal(7, inferred.Classes);
        Assert.Equal(1, inferred.InputChannels);
        Assert.Equal(24, inferred.EffectiveHiddenUnits);
        Assert.Equal(new Preprocessing(1f / 255f, [0f], [1f]), inferred.EffectivePreprocessing); // torchvision's ToTensor, for one channel
    }

    [Fact]
    public void ThePapersHeadAndFullWidthAreRecognised()
    {
        using var directory = new TemporaryDirectory();
        string path = StateDict(directory, new VggOptions { Configuration = "A", InputSize = 32, Classes = 3 });

        var inferred = WeightsFile.ReadOptions(path);

        Assert.Equal(Preprocessing.Torchvision, inferred.EffectivePreprocessing);
        Assert.Equal(VggHead.Paper, inferred.Head);
        Assert.Equal(4096, inferred.EffectiveHiddenUnits);
        Assert.Equal(1.0, inferred.WidthMultiplier);
    }

    [Fact]
    public void ChannelsThatAreNoMultipleOfATableConfigurationGiveTheLayerString()
    {
        using var directory = new TemporaryDirectory();
        string path = StateDict(directory, new VggOptions { Configuration = "BN:5,M,7,7/1,M", InputSize = 16, Classes = 2, HiddenUnits = 8 });

        using var model = WeightsFile.Load(path);

        Assert.Equal("BN:5,M,7,7/1,M", model.Configuration.Name);
        Assert.Equal(16, model.Options.InputSize);
    }

    [Fact]
    public void GivenValuesOverrideTheInferredOnes()
    {
        using var directory = new TemporaryDirectory();
        // Custom layers whose last pooling stages keys cannot show: 8,M,16,M,M has two trailing poolings, not one.
        string path = StateDict(directory, new VggOptions { Configuration = "8,M,16,M,M", InputSize = 32, Classes = 2, HiddenUnits = 8 });

        var plain = WeightsFile.ReadOptions(path);
        var given = WeightsFile.ReadOptions(path, new WeightsLoadOptions { Configuration = "8,M,16,M,M", InputSize = 32 });

        Assert.Equal("8,M,16,M", plain.Configuration); // torchvision's configurations end with one pooling
        Assert.Equal(16, plain.InputSize); // fc6 sees a 4x4 map after the two poolings the keys show
        Assert.Equal("8,M,16,M,M", given.Configuration);
        Assert.Equal(32, given.InputSize);
        using var model = WeightsFile.Load(path, new WeightsLoadOptions { Configuration = "8,M,16,M,M", InputSize = 32 });
    }

    [Fact]
    public void AVggSharpFileMustAgreeWithGivenValues()
    {
        using var directory = new TemporaryDirectory();
        string path = directory.File("ours.safetensors");
        using (var model = SmallModels.Create(SmallModels.Options("A"), 1)) VggModelFile.Save(model, path);

        Assert.Equal("the file is for configuration A but configuration D was requested",
            Assert.Throws<WeightsFormatException>(() => WeightsFile.Load(path, new WeightsLoadOptions { Configuration = "vgg16" })).Problem);
        Assert.StartsWith("the file's model takes 32x32 input, not 64x64",
            Assert.Throws<WeightsFormatException>(() => WeightsFile.Load(path, new WeightsLoadOptions { InputSize = 64 })).Problem);
        using var same = WeightsFile.Load(path, new WeightsLoadOptions { Configuration = "vgg11", InputSize = 32 });
    }

    [Theory]
    [InlineData("classifier.3.weight", "no classifier.3.weight (torchvision's classifier is classifier.0, .3 and .6)")]
    [InlineData("features.1.running_mean", "batch norm follows some convolutions but not others")]
    public void WhatCannotBeInferredIsNamed(string dropped, string problem)
    {
        using var directory = new TemporaryDirectory();
        string path = StateDict(directory, SmallModels.Options("A-BN"), e => e.Key != dropped);

        var e = Assert.Throws<WeightsFormatException>(() => WeightsFile.Load(path));

        Assert.Equal($"{problem}; cannot infer the architecture (give the configuration explicitly, --config)", e.Problem);
    }

    [Fact]
    public void AnFc6ThatFitsNoSquareMapIsNamed()
    {
        using var directory = new TemporaryDirectory();
        string path = directory.File("odd.safetensors");
        using var model = VggModel.Create(new VggOptions { Configuration = "4,M", InputSize = 4, Classes = 2, HiddenUnits = 3 });
        SafetensorsWriter.Write(path, [.. model.State().Select(e => e.Key == "classifier.0.weight"
            ? new SafetensorsTensorSource(e.Key, SafetensorsDataType.F32, [3, 12], () => new byte[3 * 12 * 4])
            : new SafetensorsTensorSource(e.Key, SafetensorsDataType.F32, e.Shape.Select(d => (long)d).ToArray(), () => e.Bytes))]);

        var e = Assert.Throws<WeightsFormatException>(() => WeightsFile.Load(path));

        Assert.StartsWith("fc6 takes 12 inputs, which is not C·p·p for the last convolution's C = 4 channels", e.Problem);
    }
}
