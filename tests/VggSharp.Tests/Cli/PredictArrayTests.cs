using VggSharp.Interop.Numpy;
using VggSharp.Tests.Interop;
using VggSharp.Tests.Interop.PyTorch;
using Xunit;

namespace VggSharp.Tests.Cli;

/// <summary>"vggsharp predict --input x.npy --output logits.npy": raw logits for preprocessed arrays, comparable with a Python pipeline's.</summary>
public class PredictArrayTests(EvaluationCliFixture fixture) : IClassFixture<EvaluationCliFixture>
{
    [Theory]
    [InlineData("vgg16.pth", "input_224.npy", "vgg16.logits.npy")]
    [InlineData("vgg11_bn_legacy.pth", "input_224.npy", "vgg11_bn.logits.npy")]
    [InlineData("vgg16.pth --input-size 32", "input_32.npy", "vgg16.logits32.npy")]
    public void LogitsOfATorchvisionStateDictAreTorchvisions(string weights, string input, string expected)
    {
        using var directory = new TemporaryDirectory();
        string output = directory.File("logits.npy");
        string[] weightArgs = weights.Split(' ');

        var result = CliRunner.Run(["predict", "-w", PyTorchFixtures.File(weightArgs[0]), .. weightArgs[1..], "--input", PyTorchFixtures.File(input), "--output", output, "--batch", "1"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        Assert.StartsWith($"{output}: logits (", result.Output);
        using var actual = NpyReader.Open(output);
        using var reference = PyTorchFixtures.Array(expected);
        var logits = new float[actual.ElementCount];
        actual.Read(0, logits);
        Assert.Equal(reference.Shape.ToArray().Select(d => (long)d), actual.Shape);
        double error = TestData.RelativeError(logits, reference.Span);
        Assert.True(error < 1e-4, $"relative error {error}");
    }

    [Fact]
    public void TorchvisionWeightsClassifyImagesWithTheirPreprocessing()
    {
        var result = CliRunner.Run("predict", "-w", PyTorchFixtures.File("vgg16.pth"), "--top", "3", fixture.Image);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(4, result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Theory]
    [InlineData(2, "--input x.npy needs --output logits.npy.", "predict -w {pth} --input {npy}")]
    [InlineData(2, "--output goes with --input x.npy.", "predict -w {pth} --output {out} {image}")]
    [InlineData(2, "Give images or --input x.npy, not both.", "predict -w {pth} --input {npy} --output {out} {image}")]
    [InlineData(1, "--input writes one model's logits: give one --weights.", "predict -w {pth} -w {pth} --input {npy} --output {out}")]
    [InlineData(1, "the array is (2, 3, 32, 32) but the model takes (N, 3, 224, 224)", "predict -w {pth} --input {npy} --output {out}")]
    [InlineData(1, "not a .npy file", "predict -w {pth} --input {pth} --output {out}")]
    public void ErrorsAreOneLine(int exitCode, string expected, string commandLine)
    {
        using var directory = new TemporaryDirectory();
        string output = directory.File("logits.npy");
        var result = CliRunner.Run(commandLine.Replace("{pth}", PyTorchFixtures.File("vgg16.pth")).Replace("{npy}", PyTorchFixtures.File("input_32.npy"))
            .Replace("{out}", output).Replace("{image}", fixture.Image).Split(' '));

        Assert.Equal(exitCode, result.ExitCode);
        Assert.Contains(expected, result.SingleErrorLine());
        Assert.False(File.Exists(output));
    }
}
