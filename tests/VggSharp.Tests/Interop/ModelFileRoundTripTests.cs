using System.Text.Json;
using VggSharp.Interop;
using VggSharp.Models;
using Xunit;

namespace VggSharp.Tests.Interop;

public class ModelFileRoundTripTests
{
    [Theory]
    [InlineData("A")]
    [InlineData("A-BN")]
    [InlineData("A-LRN")]
    [InlineData("BN:8,M,16/1,M,16,M")]
    public void SaveThenLoadGivesIdenticalStateAndLogits(string configuration)
    {
        using var directory = new TemporaryDirectory();
        string path = directory.File("model.safetensors");
        using var original = SmallModels.Create(SmallModels.Options(configuration), 11);
        VggModelFile.Save(original, path);

        using var loaded = VggModelFile.Load(path);

        Assert.Equal(original.Configuration.Name, loaded.Configuration.Name);
        SmallModels.AssertSame(SmallModels.Snapshot(original), SmallModels.Snapshot(loaded));
        Assert.Equal(SmallModels.Logits(original), SmallModels.Logits(loaded));
    }

    [Fact]
    public void BatchNormStatisticsAndCountersSurvive()
    {
        using var directory = new TemporaryDirectory();
        string path = directory.File("bn.safetensors");
        using var original = SmallModels.Create(SmallModels.Options("A-BN"), 5);
        VggModelFile.Save(original, path);

        using var loaded = VggModelFile.Load(path);

        var layers = original.Network.Layers.OfType<VggSharp.Layers.BatchNorm2d>().Zip(loaded.Network.Layers.OfType<VggSharp.Layers.BatchNorm2d>()).ToList();
        Assert.NotEmpty(layers);
        foreach (var (a, b) in layers)
        {
            Assert.True(a.BatchesTracked >= 1000);
            Assert.Equal(a.BatchesTracked, b.BatchesTracked);
            Assert.Equal(a.RunningMean.ToArray(), b.RunningMean.ToArray());
            Assert.Equal(a.RunningVariance.ToArray(), b.RunningVariance.ToArray());
        }
    }

    [Fact]
    public void MetadataPreservesOptionsAndExtraEntries()
    {
        using var directory = new TemporaryDirectory();
        string path = directory.File("meta.safetensors");
        var options = SmallModels.Options("vgg11_bn") with
        {
            Dropout = 0.3f, WidthMultiplier = 0.1, Preprocessing = Preprocessing.Torchvision,
        };
        using var model = SmallModels.Create(options, 2);
        VggModelFile.Save(model, path, new Dictionary<string, string> { ["author"] = "Zoë \"tests\"", ["epochs"] = "74" });

        var read = VggModelFile.ReadOptions(path);
        var metadata = VggModelFile.ReadMetadata(path);

        Assert.Equal("A-BN", read.Configuration);
        Assert.Equal(options with { Configuration = "A-BN" }, read);
        Assert.Equal(Preprocessing.Torchvision, read.Preprocessing);
        Assert.Equal("Zoë \"tests\"", metadata["author"]);
        Assert.Equal("74", metadata["epochs"]);
        Assert.Equal("0.1", metadata["vggsharp.width_multiplier"]);
    }

    [Fact]
    public void CaffePreprocessingAndDefaultsRoundTrip()
    {
        using var directory = new TemporaryDirectory();
        string path = directory.File("caffe.safetensors");
        var options = new VggOptions { Configuration = "4,M", InputSize = 4, Head = VggHead.Small, Classes = 2, Preprocessing = Preprocessing.Caffe };
        using var model = VggModel.Create(options);
        VggModelFile.Save(model, path);

        var read = VggModelFile.ReadOptions(path);

        Assert.Equal(options.EffectiveHiddenUnits, read.EffectiveHiddenUnits);
        Assert.Equal(options with { HiddenUnits = options.EffectiveHiddenUnits }, read);
    }

    [Fact]
    public void ReservedMetadataPrefixIsRefused()
    {
        using var directory = new TemporaryDirectory();
        using var model = SmallModels.Create(SmallModels.Tiny, 1);
        Assert.Throws<ArgumentException>(() =>
            VggModelFile.Save(model, directory.File("x.safetensors"), new Dictionary<string, string> { ["vggsharp.classes"] = "7" }));
        Assert.Empty(Directory.EnumerateFileSystemEntries(directory.Path));
    }

    [Fact]
    public void WriteIsAtomicDeterministicAndAligned()
    {
        using var directory = new TemporaryDirectory();
        string path = directory.File("model.safetensors");
        using var model = SmallModels.Create(SmallModels.Options("A-BN"), 4);
        File.WriteAllText(path, "an older file that the save replaces");

        VggModelFile.Save(model, path);
        byte[] first = File.ReadAllBytes(path);
        VggModelFile.Save(model, path);

        Assert.Equal(first, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(directory.Path));
        long headerLength = BitConverter.ToInt64(first, 0);
        Assert.Equal(0, headerLength % 8);
        using var header = JsonDocument.Parse(first.AsMemory(8, (int)headerLength));
        var offsets = header.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__")
            .Select(p => (p.Value.GetProperty("dtype").GetString(), p.Value.GetProperty("data_offsets")[0].GetInt64())).ToList();
        // Wider types first, so the int64 counters sit at 8-byte aligned offsets.
        Assert.All(offsets.Where(o => o.Item1 == "I64"), o => Assert.Equal(0, o.Item2 % 8));
        Assert.Equal(offsets.OrderBy(o => o.Item2).ToList(), offsets);
    }

    [Fact]
    public void FailedWriteLeavesTheOldFileAndNoTemporary()
    {
        using var directory = new TemporaryDirectory();
        string path = directory.File("model.safetensors");
        File.WriteAllText(path, "old");
        var bad = new SafetensorsTensorSource("x", SafetensorsDataType.F32, [3], () => new byte[8]);

        Assert.Throws<ArgumentException>(() => SafetensorsWriter.Write(path, [bad]));

        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(directory.Path));
    }

    [Theory]
    [InlineData("A")]
    [InlineData("A-BN")]
    [InlineData("A-LRN")]
    [InlineData("C")]
    [InlineData("E-BN")]
    [InlineData("BN:8,M,16/1,M,16,M")]
    public void StateSizeMatchesTheBuiltModel(string configuration)
    {
        foreach (var options in new[] { SmallModels.Options(configuration), SmallModels.Options(configuration) with { WidthMultiplier = 0.3, InputSize = 67, InputChannels = 1, Classes = 3 } })
        {
            using var model = VggModel.Create(options);
            Assert.Equal(model.State().Sum(e => e.ByteLength), StateSize.Of(options, model.Configuration));
        }
    }
}
