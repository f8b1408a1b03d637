using VggSharp.Interop;
using VggSharp.Models;
using VggSharp.Tests.Interop;
using VggSharp.Tests.Interop.PyTorch;
using Xunit;

namespace VggSharp.Tests.Cli;

public class ConvertCommandTests
{
    [Fact]
    public void ATorchvisionStateDictBecomesAVggSharpFile()
    {
        using var directory = new TemporaryDirectory();
        string output = directory.File("vgg16.safetensors");

        var result = CliRunner.Run("convert", PyTorchFixtures.File("vgg16_legacy.pth"), output);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        Assert.Equal($"{output}: configuration D, width 0.0625, 10 classes, 16 hidden units, 3x224x224 input, torchvision's preprocessing, "
            + $"from {PyTorchFixtures.File("vgg16_legacy.pth")} (PyTorch)\n", result.Output);
        var options = VggModelFile.ReadOptions(output);
        Assert.Equal("D", options.Configuration);
        Assert.Equal(Preprocessing.Torchvision, options.EffectivePreprocessing);
    }

    [Fact]
    public void GivenValuesDescribeTheStateDict()
    {
        using var directory = new TemporaryDirectory();
        string output = directory.File("small.safetensors");

        var result = CliRunner.Run("convert", PyTorchFixtures.File("vgg11_bn.pth"), output, "--input-size", "32", "--config", "vgg11_bn");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("configuration A-BN, width 0.0625, 10 classes, 16 hidden units, 3x32x32 input", result.Output);
        Assert.Equal(32, VggModelFile.ReadOptions(output).InputSize);
    }

    [Theory]
    [InlineData("vgg16.pth", "out.pth", 1, "writing .pth files is not supported; VggSharp writes .safetensors")]
    [InlineData("vgg16.pth", "out.onnx", 1, "writing .onnx files is not supported")]
    [InlineData("vgg16.pth", "out.weights", 1, "Cannot tell the output format of")]
    [InlineData("hostile_os_system.pth", "out.safetensors", 1, "the pickle refers to posix.system, which is not on the allow-list")]
    [InlineData("missing.pth", "out.safetensors", 1, "Could not find file")]
    [InlineData("vgg16.pth", "out.safetensors --config vgg19", 1, "the file has 13 convolutions but configuration E has 16")]
    [InlineData("vgg16.pth", "out.safetensors --config C", 1, "features.14.weight has shape [16, 16, 3, 3] in the file but [16, 16, 1, 1] in configuration C width 0.0625")]
    public void ErrorsAreOneLineAndWriteNothing(string input, string output, int exitCode, string expected)
    {
        using var directory = new TemporaryDirectory();
        string[] outputArgs = output.Split(' ');
        var result = CliRunner.Run(["convert", PyTorchFixtures.File(input), directory.File(outputArgs[0]), .. outputArgs[1..]]);

        Assert.Equal(exitCode, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("error: ", line);
        Assert.Contains(expected, line);
        Assert.Empty(Directory.EnumerateFileSystemEntries(directory.Path));
    }

    [Fact]
    public void TheCommandLineNeedsBothFiles()
    {
        var result = CliRunner.Run("convert", PyTorchFixtures.File("vgg16.pth"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Required argument 'out' missing", result.Error);
    }
}
