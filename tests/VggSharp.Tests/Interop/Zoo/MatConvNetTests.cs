using VggSharp.Interop;
using VggSharp.Models;
using Xunit;

namespace VggSharp.Tests.Interop.Zoo;

/// <summary>
/// MatConvNet's simplenn VGG-16 (the layout of imagenet-vgg-verydeep-16.mat, written by scipy.io.savemat plainly and
/// compressed): the model is inferred, the filters read from MATLAB's column-major order, the logits are MatConvNet's
/// forward pass within 1e-4, and the mean pixel and class names come with it.
/// </summary>
public class MatConvNetTests
{
    [Theory]
    [InlineData("matconvnet_vgg16.mat")]
    [InlineData("matconvnet_vgg16_compressed.mat")]
    public void LogitsEqualMatConvNetsAt224(string file)
    {
        string path = ZooFixtures.File(file);
        Assert.Equal(WeightsFormat.MatConvNet, WeightsFile.Detect(path));
        var options = WeightsFile.ReadOptions(path);
        Assert.Equal("D", options.Configuration);
        Assert.Equal(1.0 / 16, options.WidthMultiplier);
        Assert.Equal(224, options.InputSize);
        var preprocessing = options.EffectivePreprocessing;
        Assert.Equal(new Preprocessing(1f, [122.7717f, 115.9465f, 102.9801f], [1f, 1f, 1f]), preprocessing);

        using var vgg = WeightsFile.Load(path);
        ZooFixtures.AssertLogits(vgg, 224, "matconvnet_vgg16.logits224.npy");
    }

    [Fact]
    public void ClassNamesComeFromTheFileAndTravelIntoConversions()
    {
        var names = WeightsFile.ReadClassNames(ZooFixtures.File("matconvnet_vgg16.mat"));
        Assert.NotNull(names);
        Assert.Equal(10, names.Count);
        Assert.Equal("tench, Tinca tinca", names[0]);
        Assert.Equal("ostrich, Struthio camelus", names[9]);

        using var directory = new TemporaryDirectory();
        string output = directory.File("converted.safetensors");
        WeightsFile.Convert(ZooFixtures.File("matconvnet_vgg16_compressed.mat"), output);
        Assert.Equal(names, WeightsFile.ReadClassNames(output));
    }
}
