using System.Text.Json;
using VggSharp.Interop;
using VggSharp.Layers;
using VggSharp.Models;
using Xunit;

namespace VggSharp.Tests.Interop;

/// <summary>
/// Files written by torchvision's own VGG classes (tests/fixtures/make_fixtures.py): they must load with explicit
/// options and give torch's logits, and what we write must use torch's keys, dtypes and shapes.
/// </summary>
public class PyTorchInterchangeTests
{
    private const string Layers = "8,M,16,M,32,32,M,32,32,M,32,32,M";

    public static TheoryData<string, string> Fixtures => new() { { "vgg_tiny", Layers }, { "vgg_tiny_bn", "BN:" + Layers } };

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", name + ".safetensors");

    private static VggOptions Options(string configuration) => new()
    {
        Configuration = configuration, Head = VggHead.Small, HiddenUnits = 64, Classes = 10, InputSize = 32,
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void TorchWeightsGiveTorchLogits(string fixture, string configuration)
    {
        using var model = VggModelFile.Load(Fixture(fixture), Options(configuration));
        using var io = SafetensorsReader.Open(Fixture(fixture + "_io"));
        using var input = FixtureTensors.Read(io, "input");
        using var expected = FixtureTensors.Read(io, "logits");

        var logits = model.Forward(input, ForwardContext.Inference);

        Assert.Equal(expected.Shape, logits.Shape);
        Assert.True(TestData.RelativeError(logits.Span, expected.Span) < 1e-4, $"relative error {TestData.RelativeError(logits.Span, expected.Span)}");
    }

    [Fact]
    public void TorchBatchNormCountersAndStatisticsLoad()
    {
        using var model = VggModelFile.Load(Fixture("vgg_tiny_bn"), Options("BN:" + Layers));
        var bn = model.Network.Layers.OfType<BatchNorm2d>().ToList();

        Assert.Equal(8, bn.Count);
        Assert.All(bn, b => Assert.Equal(3, b.BatchesTracked)); // the script's three train-mode forwards
        Assert.All(bn, b => Assert.Contains(b.RunningVariance.ToArray(), v => v != 1f));
    }

    [Fact]
    public void TorchFileWithoutMetadataNeedsOptions()
    {
        var e = Assert.Throws<WeightsFormatException>(() => VggModelFile.Load(Fixture("vgg_tiny")));
        Assert.Contains("no VggSharp metadata", e.Message);
        Assert.Contains("vgg_tiny.safetensors", e.Message);
        Assert.Equal(e.Problem, Assert.Throws<WeightsFormatException>(() => VggModelFile.ReadOptions(Fixture("vgg_tiny"))).Problem);
        Assert.Equal(e.Problem, Assert.Throws<WeightsFormatException>(() => VggModelFile.ReadClassNames(Fixture("vgg_tiny"))).Problem);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void WhatWeWriteMatchesTorchsStateDict(string fixture, string configuration)
    {
        using var directory = new TemporaryDirectory();
        string path = directory.File("ours.safetensors");
        using (var model = VggModelFile.Load(Fixture(fixture), Options(configuration))) VggModelFile.Save(model, path);

        var ours = Entries(path);
        var torch = Entries(Fixture(fixture));

        Assert.Equal(torch.Keys.Order(), ours.Keys.Order());
        foreach (var (key, (dtype, shape)) in torch)
        {
            Assert.Equal(dtype, ours[key].DType);
            Assert.Equal(shape, ours[key].Shape);
        }
        // Same bytes per tensor as torch wrote, whatever the order in the data.
        using var a = SafetensorsReader.Open(path);
        using var b = SafetensorsReader.Open(Fixture(fixture));
        foreach (var info in b.Header.Tensors)
        {
            var other = a.Header.Find(info.Name)!;
            var x = new byte[info.ByteLength];
            var y = new byte[other.ByteLength];
            b.ReadTensor(info, x);
            a.ReadTensor(other, y);
            Assert.Equal(x, y);
        }
    }

    /// <summary>Each tensor's dtype and shape, read with plain strict JSON rules rather than our reader.</summary>
    private static Dictionary<string, (string DType, long[] Shape)> Entries(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        long length = BitConverter.ToInt64(bytes, 0);
        using var json = JsonDocument.Parse(bytes.AsMemory(8, (int)length));
        return json.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__").ToDictionary(
            p => p.Name,
            p => (p.Value.GetProperty("dtype").GetString()!, p.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray()));
    }
}
