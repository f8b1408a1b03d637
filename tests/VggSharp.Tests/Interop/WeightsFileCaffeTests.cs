using VggSharp.Interop;
using VggSharp.Interop.Caffe;
using VggSharp.Layers;
using VggSharp.Models;
using Xunit;

namespace VggSharp.Tests.Interop;

/// <summary>The one entry point for weights files reads Caffe models too, as every --weights does.</summary>
public class WeightsFileCaffeTests
{
    private static readonly string Fixture = CaffeModelReaderTests.Fixture("vgg_caffe_v1");

    [Fact]
    public void LoadingThroughTheEntryPointIsLoadingWithTheCaffeReader()
    {
        using var direct = CaffeModelReader.Load(Fixture);
        using var entry = WeightsFile.Load(Fixture);

        Assert.Equal(WeightsFormat.Caffe, WeightsFile.Detect(Fixture));
        Assert.Equal(direct.Options, WeightsFile.ReadOptions(Fixture));
        Assert.Equal(direct.Options, entry.Options);
        AssertSameState(direct, entry);
        Assert.Null(WeightsFile.ReadClassNames(Fixture));
    }

    [Fact]
    public void LoadIntoFillsAModelOfTheSameNetwork()
    {
        using var direct = CaffeModelReader.Load(Fixture);
        using var model = VggModel.Create(direct.Options, scheme: InitScheme.Kaiming, seed: 3);

        WeightsFile.LoadInto(model, Fixture);

        AssertSameState(direct, model);
    }

    [Fact]
    public void LoadIntoAnotherNetworkFailsAndChangesNothing()
    {
        var options = CaffeModelReader.ReadOptions(Fixture);
        using var model = VggModel.Create(options with { Classes = options.Classes + 1 }, scheme: InitScheme.Kaiming, seed: 3);
        var before = model.State().Select(e => e.Bytes.ToArray()).ToList();

        Assert.Throws<WeightsFormatException>(() => WeightsFile.LoadInto(model, Fixture));

        Assert.Equal(before, model.State().Select(e => e.Bytes.ToArray()));
    }

    [Fact]
    public void HintsThatContradictTheFileAreRefused()
    {
        var options = CaffeModelReader.ReadOptions(Fixture);

        var size = Assert.Throws<WeightsFormatException>(() => WeightsFile.Load(Fixture, new WeightsLoadOptions { InputSize = options.InputSize * 2 }));
        var configuration = Assert.Throws<WeightsFormatException>(() => WeightsFile.ReadOptions(Fixture, new WeightsLoadOptions { Configuration = "E" }));

        Assert.Contains("fc6", size.Message);
        Assert.Contains("configuration E was requested", configuration.Message);
        Assert.Equal(options, WeightsFile.ReadOptions(Fixture, new WeightsLoadOptions { Configuration = options.Configuration, InputSize = options.InputSize }));
    }

    [Theory]
    [InlineData("vgg_caffe_v1", new[] { 0, 3, 5 })] // 8,M,16,16,M: conv, relu, pool, conv, relu, conv, relu, pool
    [InlineData("vgg_caffe_lrn", new[] { 0, 4 })] // 8,LRN,M,16,M: conv, relu, LRN, pool, conv, relu, pool
    public void OpeningListsTheBlobsUnderTorchvisionsKeys(string fixture, int[] convolutions)
    {
        string path = CaffeModelReaderTests.Fixture(fixture);
        using var model = CaffeModelReader.Load(path);
        using var source = WeightsFile.Open(path);

        Assert.Equal("Caffe", source.FormatName);
        Assert.Equal(model.Options, source.DescribeModel());
        Assert.Equal(
            [.. convolutions.Select(i => $"features.{i}"), "classifier.0", "classifier.3", "classifier.6"],
            source.Tensors.Where(t => t.Name.EndsWith(".weight", StringComparison.Ordinal)).Select(t => t.Name[..^".weight".Length]));
        Assert.Equal(model.State().Select(e => (e.Key, string.Join(",", e.Shape))), source.Tensors.Select(t => (t.Name, string.Join(",", t.Shape))));
        foreach (var entry in model.State())
        {
            var bytes = new byte[entry.Bytes.Length];
            source.ReadTensor(source.Find(entry.Key)!, bytes);
            Assert.True(entry.Bytes.SequenceEqual(bytes), entry.Key);
        }
    }

    [Fact]
    public void GivenOptionsWithoutPreprocessingGetCaffes()
    {
        var options = CaffeModelReader.ReadOptions(Fixture) with { Preprocessing = null };

        using var model = WeightsFile.Load(Fixture, options);

        Assert.Equal(Preprocessing.Caffe, model.Options.Preprocessing);
    }

    private static void AssertSameState(VggModel expected, VggModel actual)
    {
        var entries = actual.State().ToDictionary(e => e.Key);
        foreach (StateEntry entry in expected.State())
            Assert.True(entry.Bytes.SequenceEqual(entries[entry.Key].Bytes), entry.Key);
    }
}
