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
        using var model = VggModel.Create(direct.Options);
        model.Initialize(InitScheme.Kaiming, seed: 3);

        WeightsFile.LoadInto(model, Fixture);

        AssertSameState(direct, model);
    }

    [Fact]
    public void LoadIntoAnotherNetworkFailsAndChangesNothing()
    {
        var options = CaffeModelReader.ReadOptions(Fixture);
        using var model = VggModel.Create(options with { Classes = options.Classes + 1 });
        model.Initialize(InitScheme.Kaiming, seed: 3);
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

    private static void AssertSameState(VggModel expected, VggModel actual)
    {
        var entries = actual.State().ToDictionary(e => e.Key);
        foreach (StateEntry entry in expected.State())
            Assert.True(entry.Bytes.SequenceEqual(entries[entry.Key].Bytes), entry.Key);
    }
}
