using VggSharp.Interop;
using VggSharp.Interop.Caffe;
using VggSharp.Layers;
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
    [InlineData("vgg16.pth", "out.caffemodel", 1, "writing .caffemodel files is not supported")]
    [InlineData("vgg16.pth", "out.weights", 1, "Cannot tell the output format of")]
    [InlineData("hostile_os_system.pth", "out.safetensors", 1, "the pickle refers to posix.system, which is not on the allow-list")]
    [InlineData("missing.pth", "out.safetensors", 1, "missing.pth: no such file")]
    [InlineData("vgg16.pth", "out.safetensors --config vgg19", 1, "the file has 13 convolutions but configuration E has 16")]
    [InlineData("vgg16.pth", "out.safetensors --config C", 1, "features.14.weight has shape [16, 16, 3, 3] in the file but [16, 16, 1, 1] in configuration C width 0.0625")]
    public void ErrorsAreOneLineAndWriteNothing(string input, string output, int exitCode, string expected)
    {
        using var directory = new TemporaryDirectory();
        string[] outputArgs = output.Split(' ');
        var result = CliRunner.Run(["convert", PyTorchFixtures.File(input), directory.File(outputArgs[0]), .. outputArgs[1..]]);

        Assert.Equal(exitCode, result.ExitCode);
        Assert.Contains(expected, result.SingleErrorLine());
        Assert.Empty(Directory.EnumerateFileSystemEntries(directory.Path));
    }

    [Theory]
    [InlineData("vgg_caffe_v1")]
    [InlineData("vgg_caffe_lrn")]
    public void ACaffeModelBecomesAVggSharpFileWithItsPreprocessing(string fixture)
    {
        using var directory = new TemporaryDirectory();
        string input = CaffeModelReaderTests.Fixture(fixture), output = directory.File("caffe.safetensors");

        var result = CliRunner.Run("convert", input, output);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        Assert.EndsWith($"from {input} (Caffe)\n", result.Output);
        using var model = WeightsFile.Load(output);
        using var io = SafetensorsReader.Open(CaffeModelReaderTests.Fixture(fixture + "_io", ".safetensors"));
        using var images = FixtureTensors.Read(io, "input");
        using var expected = FixtureTensors.Read(io, "logits");
        double error = TestData.RelativeError(model.Forward(images, ForwardContext.Inference).Span, expected.Span);
        Assert.True(error < 1e-4, $"relative error {error}");
        Assert.Equal(CaffeModelReader.ReadOptions(input).EffectivePreprocessing, model.Options.EffectivePreprocessing);
    }

    [Fact]
    public void ATorchvisionStateDictExportsToOnnxThatComputesTorchvisionsLogits()
    {
        using var directory = new TemporaryDirectory();
        string output = directory.File("vgg11_bn.onnx");

        var result = CliRunner.Run("convert", PyTorchFixtures.File("vgg11_bn_legacy.pth"), output);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("configuration A-BN", result.Output);
        using var input = PyTorchFixtures.Array("input_224.npy");
        using var expected = PyTorchFixtures.Array("vgg11_bn.logits.npy");
        var (logits, _) = OnnxReference.Run(output, input);
        double error = TestData.RelativeError(logits, expected.Span);
        Assert.True(error < 1e-4, $"relative error {error}");
    }

    [Fact]
    public void OnnxFilesConvertBack()
    {
        using var directory = new TemporaryDirectory();
        string onnx = directory.File("vgg16.onnx"), direct = directory.File("direct.safetensors"), back = directory.File("back.safetensors");
        Assert.Equal(0, CliRunner.Run("convert", PyTorchFixtures.File("vgg16.pth"), onnx).ExitCode);
        Assert.Equal(0, CliRunner.Run("convert", PyTorchFixtures.File("vgg16.pth"), direct).ExitCode);

        var result = CliRunner.Run("convert", onnx, back);

        Assert.Equal(0, result.ExitCode);
        using var expected = WeightsFile.Load(direct);
        using var actual = WeightsFile.Load(back);
        Assert.Equal(expected.Options, actual.Options);
        SmallModels.AssertSame(SmallModels.Snapshot(expected), SmallModels.Snapshot(actual));
    }

    [Fact]
    public void TheCommandLineNeedsBothFiles()
    {
        var result = CliRunner.Run("convert", PyTorchFixtures.File("vgg16.pth"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Required argument 'out' missing", result.Error);
    }
}
