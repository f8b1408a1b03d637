using VggSharp.Interop;
using VggSharp.Interop.Onnx;
using VggSharp.Layers;
using VggSharp.Models;
using VggSharp.Tensors;
using VggSharp.Tests.Interop.PyTorch;
using Xunit;

namespace VggSharp.Tests.Interop;

/// <summary>
/// ONNX files load as VGG models: graphs as torch.onnx.export writes them and as the ONNX Model Zoo lays them out
/// (tests/fixtures/make_onnx_fixtures.py) give the source framework's logits, ONNX Runtime agreeing; VggSharp's own
/// exports load back bit for bit, and ONNX Runtime computes the logits of the original model from them.
/// </summary>
public class OnnxImportTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "onnx", name);

    private static Tensor Array(string name) => PyTorchFixtures.Array(Path.Combine("..", "onnx", name));

    /// <summary>Each fixture with the configuration it must load as and its input size.</summary>
    public static TheoryData<string, string, int> Fixtures => new()
    {
        { "tv_opset11", "4,M,8,M", 56 },
        { "tv_bn_opset13", "BN:4,M,8,8,M", 16 },
        { "tv_bnfold_opset17", "4,M,8,M", 28 },
        { "tv_bn_opset15", "BN:4,M,8,M", 56 },
        { "tv_matmul_opset12", "4,M,8,M", 16 },
        { "zoo_opset7", "4,M,8,M", 16 },
        { "zoo_bn_opset8", "BN:4,M,8,M", 16 },
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void ExportedGraphsGiveTheSourceFrameworksLogits(string name, string configuration, int inputSize)
    {
        using var model = WeightsFile.Load(Fixture(name + ".onnx"));
        using var input = Array(name + ".input.npy");
        using var expected = Array(name + ".logits.npy");

        var logits = model.Forward(input, ForwardContext.Inference);

        Assert.Equal(configuration, model.Options.Configuration);
        Assert.Equal(inputSize, model.Options.InputSize);
        Assert.Equal(Preprocessing.Torchvision, model.Options.Preprocessing);
        Assert.Equal(expected.Shape.ToArray(), logits.Shape.ToArray());
        double error = TestData.RelativeError(logits.Span, expected.Span);
        Assert.True(error < 1e-4, $"relative error {error}");

        // The independent judge: ONNX Runtime runs the source graph (before a final Softmax where there is one).
        var (judged, shape) = OnnxRuntimeJudge.Run(Fixture(name + ".onnx"), input);
        Assert.Equal(expected.Shape.ToArray(), shape);
        double judgedError = name == "zoo_bn_opset8" ? TestData.RelativeError(judged, SoftmaxOf(logits)) : TestData.RelativeError(judged, expected.Span);
        Assert.True(judgedError < 1e-4, $"ONNX Runtime's relative error {judgedError}");
    }

    [Fact]
    public void AGraphEndingInSoftmaxGivesTheLogitsBeforeIt()
    {
        string path = Fixture("zoo_bn_opset8.onnx");
        using var reader = OnnxModelReader.Open(path);
        using var model = WeightsFile.Load(reader);
        using var input = Array("zoo_bn_opset8.input.npy");

        var (probabilities, _) = OnnxRuntimeJudge.Run(path, input);
        var posterior = SoftmaxOf(model.Forward(input, ForwardContext.Inference));

        Assert.True(reader.EndsInSoftmax);
        double error = TestData.RelativeError(posterior, probabilities);
        Assert.True(error < 1e-4, $"relative error {error}");
    }

    public static TheoryData<string> Exported => new() { "A", "A-BN", "A-LRN", "C", "BN:4,M,8,M" };

    [Theory]
    [MemberData(nameof(Exported))]
    public void VggSharpsExportsLoadBackBitForBit(string configuration)
    {
        using var directory = new TemporaryDirectory();
        var options = configuration.Contains(',') ? SmallModels.Tiny : SmallModels.Options(configuration);
        using var original = SmallModels.Create(options, 31);
        string path = directory.File("model.onnx");
        OnnxExporter.Export(original, path, [.. Enumerable.Range(0, options.Classes).Select(i => $"class {i}")]);

        using var loaded = WeightsFile.Load(path);

        Assert.Equal(original.Options, loaded.Options with { Preprocessing = null });
        Assert.Equal(original.Options.EffectivePreprocessing.Mean, loaded.Options.EffectivePreprocessing.Mean);
        Assert.Equal(WeightsFile.ReadClassNames(path), Enumerable.Range(0, options.Classes).Select(i => $"class {i}"));
        // Batch counters are training state, which ONNX files do not carry.
        var floats = SmallModels.Snapshot(original).Where(e => !e.Key.EndsWith("num_batches_tracked", StringComparison.Ordinal)).ToDictionary();
        SmallModels.AssertSame(floats, SmallModels.Snapshot(loaded).Where(e => floats.ContainsKey(e.Key)).ToDictionary());

        using var input = TestData.Random(5, 2, options.InputChannels, options.InputSize, options.InputSize);
        var (judged, shape) = OnnxRuntimeJudge.Run(path, input);
        var logits = loaded.Forward(input, ForwardContext.Inference);
        Assert.Equal(logits.Shape.ToArray(), shape);
        double error = TestData.RelativeError(judged, logits.Span);
        Assert.True(error < 1e-4, $"relative error {error}");
    }

    [Theory]
    [InlineData("none", false), InlineData("none", true), InlineData("transB0", false)]
    public void HandWrittenGraphsGiveOnnxRuntimesLogits(string variant, bool unpacked)
    {
        using var directory = new TemporaryDirectory();
        string path = directory.File("graph.onnx");
        File.WriteAllBytes(path, OnnxFuzzTests.Variant(variant, unpacked));
        using var model = WeightsFile.Load(path);
        using var input = TestData.Random(9, 1, 3, 8, 8);

        var (judged, _) = OnnxRuntimeJudge.Run(path, input);
        var logits = model.Forward(input, ForwardContext.Inference);

        double error = TestData.RelativeError(logits.Span, judged);
        Assert.True(error < 1e-4, $"relative error {error}");
    }

    [Fact]
    public void TheFullyConvolutionalExportLoadsAsThePlainModel()
    {
        using var directory = new TemporaryDirectory();
        using var plain = SmallModels.Create(SmallModels.Options("A"), 33);
        using var dense = plain.ToFullyConvolutional();
        string path = directory.File("dense.onnx");
        OnnxExporter.Export(dense, path);

        using var loaded = WeightsFile.Load(path);

        Assert.False(loaded.IsFullyConvolutional);
        SmallModels.AssertSame(SmallModels.Snapshot(plain), SmallModels.Snapshot(loaded));
    }

    [Fact]
    public void GivenOptionsMustAgreeWithTheGraph()
    {
        string path = Fixture("zoo_opset7.onnx");
        var options = WeightsFile.ReadOptions(path);

        using var model = WeightsFile.Load(path, options with { Dropout = 0.25f });
        Assert.Equal(0.25f, model.Options.Dropout);
        Assert.Contains("is for 16x16 input, not 32x32", Assert.Throws<WeightsFormatException>(() => WeightsFile.Load(path, options with { InputSize = 32 })).Problem);
        Assert.Contains("configuration", Assert.Throws<WeightsFormatException>(() => WeightsFile.Load(path, options with { Configuration = "4,M,4,M" })).Problem);
        Assert.Contains("takes 16x16 input, not 32x32", Assert.Throws<WeightsFormatException>(() => WeightsFile.Load(path, new WeightsLoadOptions { InputSize = 32 })).Problem);
    }

    private static float[] SoftmaxOf(Tensor logits)
    {
        int classes = logits.Shape[logits.Shape.Rank - 1];
        var values = logits.Span.ToArray();
        for (int row = 0; row < values.Length; row += classes)
        {
            var span = values.AsSpan(row, classes);
            double max = span.ToArray().Max(), sum = span.ToArray().Sum(v => Math.Exp(v - max));
            for (int i = 0; i < classes; i++) span[i] = (float)(Math.Exp(span[i] - max) / sum);
        }
        return values;
    }
}
