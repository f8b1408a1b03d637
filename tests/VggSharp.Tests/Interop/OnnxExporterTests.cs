using System.Text.Json;
using VggSharp.Interop;
using VggSharp.Interop.Caffe;
using VggSharp.Interop.Onnx;
using VggSharp.Layers;
using VggSharp.Models;
using Xunit;

namespace VggSharp.Tests.Interop;

/// <summary>
/// Exported files pass ONNX's checker (with shape inference), and an evaluator written in NumPy, independent of
/// VggSharp, computes the same logits from them at any batch size; the metadata carries the architecture and the
/// preprocessing.
/// </summary>
public class OnnxExporterTests
{
    private static VggModel Model(string name) => name switch
    {
        "caffe" => CaffeModelReader.Load(CaffeModelReaderTests.Fixture("vgg_caffe_v1")),
        _ => SmallModels.Create(SmallModels.Options(name), 21),
    };

    public static TheoryData<string, int> Models => new() { { "A", 3 }, { "A", 1 }, { "A-BN", 2 }, { "A-LRN", 2 }, { "C", 2 }, { "caffe", 2 } };

    [Theory]
    [MemberData(nameof(Models))]
    public void ASecondImplementationComputesTheSameLogits(string name, int batch)
    {
        using var directory = new TemporaryDirectory();
        using var model = Model(name);
        string path = directory.File("model.onnx");
        OnnxExporter.Export(model, path);
        using var input = TestData.Random(batch, batch, model.Options.InputChannels, model.Options.InputSize, model.Options.InputSize);
        // Pixel-sized values, so that LRN's sum of squares weighs against its constant k and a wrong attribute shows.
        foreach (ref float v in input.Span) v *= 50;

        var (output, summary) = OnnxReference.Run(path, input);
        var logits = model.Forward(input, ForwardContext.Inference);

        Assert.Equal(new[] { batch, model.Options.Classes }, summary.GetProperty("output_shape").EnumerateArray().Select(e => e.GetInt32()));
        double error = TestData.RelativeError(output, logits.Span);
        Assert.True(error < 1e-4, $"relative error {error}");

        Assert.Equal(OnnxExporter.IrVersion, summary.GetProperty("ir_version").GetInt32());
        Assert.Equal(OnnxExporter.Opset, summary.GetProperty("opsets").GetProperty("").GetInt32());
        Assert.Equal(new object[] { "batch", model.Options.InputChannels, model.Options.InputSize, model.Options.InputSize }, Dimensions(summary, "input"));
        Assert.Equal(new object[] { "batch", model.Options.Classes }, Dimensions(summary, "output"));
        var operators = summary.GetProperty("operators").EnumerateArray().Select(e => e.GetString()).ToList();
        var layers = model.Network.Layers;
        Assert.Equal(layers.Count(l => l is not Dropout), operators.Count);
        Assert.Equal(layers.Count(l => l is Conv2d), operators.Count(o => o == "Conv"));
        Assert.Equal(layers.Count(l => l is BatchNorm2d), operators.Count(o => o == "BatchNormalization"));
        Assert.Equal(layers.Count(l => l is LocalResponseNorm), operators.Count(o => o == "LRN"));
        Assert.Equal(3, operators.Count(o => o == "Gemm"));
        Assert.Single(operators, "Flatten");
        Assert.Equal(model.State().Count(e => e.ElementType == StateElementType.Float32), summary.GetProperty("initializers").GetInt32());
    }

    [Fact]
    public void TheArchitectureAndPreprocessingTravelInTheMetadata()
    {
        using var directory = new TemporaryDirectory();
        using var model = Model("caffe");
        string path = directory.File("caffe.onnx");
        string[] names = ["a", "b", "c", "d", "e"];
        OnnxExporter.Export(model, path, names);
        using var input = TestData.Random(1, 1, 3, 8, 8);

        var metadata = OnnxReference.Run(path, input).Summary.GetProperty("metadata").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);

        // The same keys and values as a safetensors file of the model, so one reader of them serves both.
        string safetensors = directory.File("caffe.safetensors");
        VggModelFile.Save(model, safetensors, classNames: names);
        // (Less the safetensors file's own checksum.)
        foreach (var (key, value) in VggModelFile.ReadMetadata(safetensors).Where(e => e.Key != SafetensorsChecksum.Key)) Assert.Equal(value, metadata[key]);
        Assert.Equal("true", metadata["vggsharp.preprocessing.bgr"]);
        Assert.Equal("103.939,116.779,123.68", metadata["vggsharp.preprocessing.mean"]);
        Assert.Equal("false", metadata[OnnxExporter.FullyConvolutionalKey]);
    }

    [Fact]
    public void TheFullyConvolutionalFormTakesAnyImageSize()
    {
        using var directory = new TemporaryDirectory();
        using var plain = Model("A");
        using var dense = plain.ToFullyConvolutional();
        string path = directory.File("dense.onnx");
        OnnxExporter.Export(dense, path);
        using var input = TestData.Random(4, 2, 3, 64, 96);

        var (output, summary) = OnnxReference.Run(path, input);
        var scores = dense.Forward(input, ForwardContext.Inference);

        Assert.Equal(scores.Shape.ToArray(), summary.GetProperty("output_shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(new[] { 2, 10, 2, 3 }, scores.Shape.ToArray());
        double error = TestData.RelativeError(output, scores.Span);
        Assert.True(error < 1e-4, $"relative error {error}");
        Assert.Equal(new object[] { "batch", 3, "height", "width" }, Dimensions(summary, "input"));
        Assert.Equal("true", summary.GetProperty("metadata").GetProperty(OnnxExporter.FullyConvolutionalKey).GetString());
    }

    [Fact]
    public void ExportReplacesAFileAtomically()
    {
        using var directory = new TemporaryDirectory();
        using var model = Model("A");
        string path = directory.File("model.onnx");
        File.WriteAllText(path, "old");

        OnnxExporter.Export(model, path);
        byte[] first = File.ReadAllBytes(path);
        OnnxExporter.Export(model, path);

        Assert.Equal(first, File.ReadAllBytes(path));
        Assert.Equal(new[] { "model.onnx" }, Directory.GetFiles(directory.Path).Select(Path.GetFileName));
        Assert.Throws<ArgumentException>(() => OnnxExporter.Export(model, path, ["too", "few"]));
        Assert.Equal(first, File.ReadAllBytes(path));
    }

    private static object[] Dimensions(JsonElement summary, string name) =>
        summary.GetProperty(name).EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? (object)e.GetString()! : e.GetInt32()).ToArray();
}
