using VggSharp.Data;
using VggSharp.Data.Transforms;
using VggSharp.Interop;
using VggSharp.Interop.Caffe;
using VggSharp.Layers;
using VggSharp.Models;
using Xunit;

namespace VggSharp.Tests.Interop;

/// <summary>
/// Caffe files written by Google's protobuf library (tests/fixtures/make_caffe_fixtures.py) load and give the logits
/// torch computes from the same weights; files of every layout written here load back bit for bit; files that are
/// not VGG networks are refused with the layer and the reason.
/// </summary>
public class CaffeModelReaderTests
{
    public static TheoryData<string> Fixtures => new() { "vgg_caffe_v1", "vgg_caffe_lrn" };

    public static string Fixture(string name, string extension = ".caffemodel") => Path.Combine(AppContext.BaseDirectory, "fixtures", name + extension);

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void CaffeWeightsGiveTheLogitsComputedIndependently(string fixture)
    {
        using var model = CaffeModelReader.Load(Fixture(fixture));
        using var io = SafetensorsReader.Open(Fixture(fixture + "_io", ".safetensors"));
        using var input = FixtureTensors.Read(io, "input");
        using var expected = FixtureTensors.Read(io, "logits");

        var logits = model.Forward(input, ForwardContext.Inference);

        Assert.Equal(expected.Shape, logits.Shape);
        double error = TestData.RelativeError(logits.Span, expected.Span);
        Assert.True(error < 1e-4, $"relative error {error}");
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void ImagesAreFedWithCaffesPreprocessing(string fixture)
    {
        using var model = CaffeModelReader.Load(Fixture(fixture));
        using var io = SafetensorsReader.Open(Fixture(fixture + "_io", ".safetensors"));
        var info = io.Header.Find("image")!;
        var pixels = new byte[info.ByteLength];
        io.ReadTensor(info, pixels);
        using var expected = FixtureTensors.Read(io, "image_logits");
        var image = new DecodedImage((int)info.Shape[1], (int)info.Shape[0], 3, pixels);

        // The evaluator's path from pixels to the network: rescale to the input size (here a copy), then the model's preprocessing.
        var transform = new EvaluationTransform(model.Options.InputSize, 3, model.Options.EffectivePreprocessing);
        using var input = transform.Whole(transform.Rescale(image, model.Options.InputSize), flip: false);
        var logits = model.Forward(input, ForwardContext.Inference);

        double error = TestData.RelativeError(logits.Span, expected.Span);
        Assert.True(error < 1e-4, $"relative error {error}");
    }

    [Fact]
    public void TheNetworkIsWorkedOutFromTheFile()
    {
        var v1 = CaffeModelReader.ReadOptions(Fixture("vgg_caffe_v1"));
        var lrn = CaffeModelReader.ReadOptions(Fixture("vgg_caffe_lrn"));

        Assert.Equal("8,M,16,16,M", v1.Configuration);
        Assert.Equal("8,LRN,M,16,M", lrn.Configuration);
        foreach (var options in new[] { v1, lrn })
        {
            Assert.Equal((5, 3, 8, 32, VggHead.Small, 0.5f), (options.Classes, options.InputChannels, options.InputSize, options.EffectiveHiddenUnits, options.Head, options.Dropout));
            Assert.Equal(Preprocessing.Caffe, options.Preprocessing);
        }
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void TheCaffePreprocessingIsSavedWithTheWeights(string fixture)
    {
        using var directory = new TemporaryDirectory();
        string path = directory.File("from-caffe.safetensors");
        using var model = CaffeModelReader.Load(Fixture(fixture));
        VggModelFile.Save(model, path);

        var metadata = VggModelFile.ReadMetadata(path);
        Assert.Equal("true", metadata["vggsharp.preprocessing.bgr"]);
        Assert.Equal("103.939,116.779,123.68", metadata["vggsharp.preprocessing.mean"]);
        using var restored = VggModelFile.Load(path);
        Assert.Equal(Preprocessing.Caffe, restored.Options.EffectivePreprocessing);
        SmallModels.AssertSame(SmallModels.Snapshot(model), SmallModels.Snapshot(restored));
    }

    public static TheoryData<CaffeFileStyle> Styles => new()
    {
        new CaffeFileStyle(),
        new CaffeFileStyle(V1: false, Packed: false, LegacyShapes: false),
        new CaffeFileStyle(V1: true, Packed: false, LegacyShapes: false),
        new CaffeFileStyle(V1: false, Packed: true, LegacyShapes: true, LayerParameters: false),
        new CaffeFileStyle(ParameterlessLayers: false, LayerParameters: false), // stripped: pooling from the names
    };

    [Theory]
    [MemberData(nameof(Styles))]
    public void EveryLayoutLoadsBitForBit(CaffeFileStyle style)
    {
        using var directory = new TemporaryDirectory();
        var options = SmallModels.Options("C") with { Preprocessing = Preprocessing.Caffe }; // C: 1x1 convolutions too
        using var original = SmallModels.Create(options, 5);
        string path = directory.File("c.caffemodel");
        File.WriteAllBytes(path, CaffeFiles.From(original, style));

        using var loaded = CaffeModelReader.Load(path, options);
        var inferred = CaffeModelReader.ReadOptions(path);

        SmallModels.AssertSame(SmallModels.Snapshot(original), SmallModels.Snapshot(loaded));
        Assert.Equal(VggConfiguration.Parse(options.Configuration).Features.Select(f => f.Kind == FeatureKind.Convolution ? f with { Channels = options.Scaled(f.Channels) } : f),
            VggConfiguration.Parse(inferred.Configuration).Features);
        Assert.Equal((10, 32, 32), (inferred.Classes, inferred.InputSize, inferred.EffectiveHiddenUnits));
    }

    [Theory]
    [InlineData("A"), InlineData("A-LRN"), InlineData("B"), InlineData("C"), InlineData("D"), InlineData("E")]
    public void TheOriginalReleasesNetworksAreRecognised(string name)
    {
        // The layers of VGG_ILSVRC_16_layers and its siblings (224x224 input, 1000 classes), as the parser gives them.
        var layers = new List<CaffeLayer>();
        CaffeBlob Blob(params long[] shape) => new(shape, new ProtoFloatData(new ProtoFloatRun(0, (int)shape.Aggregate(1L, (a, b) => a * b), ProtoFloatRun.Packed)));
        void Add(string layerName, string type, params CaffeBlob[] blobs) => layers.Add(new CaffeLayer(layers.Count, layerName, type, blobs));
        int channels = 3, stage = 1, index = 0;
        foreach (var item in VggConfiguration.Parse(name).Features)
        {
            switch (item.Kind)
            {
                case FeatureKind.Convolution:
                    Add($"conv{stage}_{++index}", "Convolution", Blob(item.Channels, channels, item.KernelSize, item.KernelSize), Blob(1, 1, 1, item.Channels));
                    Add($"relu{stage}_{index}", "ReLU");
                    channels = item.Channels;
                    break;
                case FeatureKind.MaxPool:
                    Add($"pool{stage++}", "Pooling");
                    index = 0;
                    break;
                default:
                    Add("norm1", "LRN");
                    break;
            }
        }
        Add("fc6", "InnerProduct", Blob(1, 1, 4096, 25088), Blob(1, 1, 1, 4096));
        Add("relu6", "ReLU");
        Add("drop6", "Dropout");
        Add("fc7", "InnerProduct", Blob(1, 1, 4096, 4096), Blob(1, 1, 1, 4096));
        Add("relu7", "ReLU");
        Add("drop7", "Dropout");
        Add("fc8", "InnerProduct", Blob(1, 1, 1000, 4096), Blob(1, 1, 1, 1000));
        Add("prob", "Softmax");

        var options = CaffeVggLayout.Of(layers).ToOptions();

        Assert.Equal(VggConfiguration.Parse(name).Name, options.Configuration);
        Assert.Equal((224, 1000, 4096, VggHead.Paper), (options.InputSize, options.Classes, options.EffectiveHiddenUnits, options.Head));
        Assert.Equal(Preprocessing.Caffe, options.Preprocessing);
    }

    [Fact]
    public void GivenPreprocessingIsKept()
    {
        var options = CaffeModelReader.ReadOptions(Fixture("vgg_caffe_v1")) with { Preprocessing = Preprocessing.Torchvision, Dropout = 0.2f };
        using var model = CaffeModelReader.Load(Fixture("vgg_caffe_v1"), options);
        Assert.Equal(Preprocessing.Torchvision, model.Options.Preprocessing);
        Assert.Equal(0.2f, model.Options.Dropout);
    }

    [Theory]
    [InlineData(true), InlineData(false)]
    public void AMeanStatedByADataLayerIsTheOneApplied(bool v1)
    {
        using var directory = new TemporaryDirectory();
        var options = SmallModels.Options("A");
        using var model = SmallModels.Create(options, 3);
        var style = new CaffeFileStyle(V1: v1);
        // Concatenated NetParameters merge: the data layer comes first.
        ProtoWriter Data(params float[] means)
        {
            var transform = new ProtoWriter().Float(1, 0.5f).Varint(2, 1);
            foreach (float m in means) transform.Float(5, m);
            return new ProtoWriter().Message(v1 ? 2 : 100, CaffeFiles.Layer(style, "data", "Data", [], transform));
        }
        string path = directory.File("with-mean.caffemodel");
        File.WriteAllBytes(path, [.. Data(104, 117, 123).ToArray(), .. CaffeFiles.From(model, style)]);

        var preprocessing = CaffeModelReader.ReadOptions(path).Preprocessing!;

        Assert.Equal(new Preprocessing(0.5f, [52f, 58.5f, 61.5f], [1f, 1f, 1f], Bgr: true), preprocessing);
        File.WriteAllBytes(path, [.. Data(104, 117).ToArray(), .. CaffeFiles.From(model, style)]);
        var e = Assert.Throws<WeightsFormatException>(() => CaffeModelReader.Load(path));
        Assert.Contains("(data, Data) states 2 mean values for 3 input channels", e.Message);
    }

    public static TheoryData<string, string> MismatchedOptions => new()
    {
        { "8,M,16,M", "convolutional part is 8,M,16,16,M but configuration 8,M,16,M" },
        { "classes", "5 classes but the options give 6" },
        { "input", "8 as input size (from fc6's inputs) but the options give 16" },
        { "hidden", "32 hidden units but the options give 64" },
        { "BN", "has batch normalisation" },
    };

    [Theory]
    [MemberData(nameof(MismatchedOptions))]
    public void OptionsThatDescribeAnotherNetworkAreRefused(string change, string message)
    {
        var options = CaffeModelReader.ReadOptions(Fixture("vgg_caffe_v1"));
        options = change switch
        {
            "classes" => options with { Classes = 6 },
            "input" => options with { InputSize = 16 },
            "hidden" => options with { HiddenUnits = 64 },
            "BN" => options with { Configuration = "BN:" + options.Configuration },
            _ => options with { Configuration = change },
        };
        var e = Assert.Throws<WeightsFormatException>(() => CaffeModelReader.Load(Fixture("vgg_caffe_v1"), options));
        Assert.Contains(message, e.Message);
        Assert.Contains("vgg_caffe_v1.caffemodel", e.Message);
    }
}
