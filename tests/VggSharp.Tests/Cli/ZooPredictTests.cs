using VggSharp.Tests.Data;
using VggSharp.Tests.Interop;
using VggSharp.Tests.Interop.Zoo;
using Xunit;

namespace VggSharp.Tests.Cli;

/// <summary>predict with the files users download: names from a MatConvNet model itself, or from --class-names for a Keras file.</summary>
public sealed class ZooPredictTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();
    private readonly string _image;

    public ZooPredictTests()
    {
        _image = _directory.File("image.png");
        TestPng.Write(_image, ResamplerTests.Noise(40, 32, 3, 11));
    }

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void AMatConvNetModelNamesItsClasses()
    {
        var result = CliRunner.Run("predict", "-w", ZooFixtures.File("matconvnet_vgg16.mat"), "--top", "10", _image);

        Assert.Equal("", result.Error);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("tench, Tinca tinca", result.Output);
        Assert.Contains("ostrich, Struthio camelus", result.Output);
    }

    [Fact]
    public void ClassNamesFromAFileNameAKerasModelsClasses()
    {
        string names = _directory.File("synset_words.txt");
        File.WriteAllLines(names, Enumerable.Range(0, 10).Select(i => $"n{i:00000000} class {i}, the {i}th"));

        var result = CliRunner.Run("predict", "-w", ZooFixtures.File("keras_vgg16.h5"), "--class-names", names, "--top", "10", _image);

        Assert.Equal("", result.Error);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("class 0, the 0th", result.Output);
        Assert.DoesNotContain("n00000000", result.Output);
    }

    [Fact]
    public void AClassNamesFileOfTheWrongLengthIsOneErrorLine()
    {
        string names = _directory.File("names.txt");
        File.WriteAllLines(names, ["ant", "bee"]);

        var result = CliRunner.Run("predict", "-w", ZooFixtures.File("keras_vgg16.h5"), "--class-names", names, _image);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: {names}: 2 class names (one a line) but the model has 10 classes", Assert.Single(result.ErrorLines));
    }
}
