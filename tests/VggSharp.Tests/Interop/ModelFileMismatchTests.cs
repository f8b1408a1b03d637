using VggSharp.Interop;
using VggSharp.Models;
using Xunit;

namespace VggSharp.Tests.Interop;

/// <summary>A file for another model gives a clear error and leaves the target untouched.</summary>
public class ModelFileMismatchTests
{
    private static WeightsFormatException RefuseInto(VggModel target, string path)
    {
        var before = SmallModels.Snapshot(target);
        var e = Assert.Throws<WeightsFormatException>(() => VggModelFile.LoadInto(target, path));
        SmallModels.AssertSame(before, SmallModels.Snapshot(target));
        return e;
    }

    private static string Saved(TemporaryDirectory directory, VggOptions options)
    {
        string path = directory.File("saved.safetensors");
        using var model = SmallModels.Create(options, 9);
        VggModelFile.Save(model, path);
        return path;
    }

    [Fact]
    public void AnotherConfigurationIsNamed()
    {
        using var directory = new TemporaryDirectory();
        string path = Saved(directory, SmallModels.Options("A"));
        using var target = SmallModels.Create(SmallModels.Options("D"), 1);

        Assert.Equal("the file is for configuration A but configuration D was requested", RefuseInto(target, path).Problem);
        var e = Assert.Throws<WeightsFormatException>(() => VggModelFile.Load(path, SmallModels.Options("vgg16")));
        Assert.Equal("the file is for configuration A but configuration D was requested", e.Problem);
    }

    [Fact]
    public void AnotherWidthNamesTheFirstShape()
    {
        using var directory = new TemporaryDirectory();
        string path = Saved(directory, SmallModels.Options("A"));
        using var target = SmallModels.Create(SmallModels.Options("A") with { WidthMultiplier = 0.25 }, 1);

        Assert.Equal("features.0.weight has shape [8, 3, 3, 3] in the file but [16, 3, 3, 3] in configuration A width 0.25", RefuseInto(target, path).Problem);
    }

    [Fact]
    public void ALaterMismatchStillCopiesNothing()
    {
        // Only features.11 onwards differ from this model, so a copy-as-you-go loader would have half loaded it.
        string torch = Path.Combine(AppContext.BaseDirectory, "fixtures", "vgg_tiny.safetensors");
        using var target = SmallModels.Create(SmallModels.Options("A") with { HiddenUnits = 64 }, 1);

        Assert.Equal("features.11.weight has shape [32, 32, 3, 3] in the file but [64, 32, 3, 3] in configuration A width 0.125", RefuseInto(target, torch).Problem);
    }

    [Fact]
    public void MissingAndUnexpectedKeysAreListed()
    {
        string torchBn = Path.Combine(AppContext.BaseDirectory, "fixtures", "vgg_tiny_bn.safetensors");
        using var target = SmallModels.Create(SmallModels.Options("A") with { HiddenUnits = 64 }, 1);

        string problem = RefuseInto(target, torchBn).Problem;

        Assert.StartsWith("missing keys features.3.weight, features.3.bias, features.6.weight", problem);
        Assert.Contains("unexpected keys features.1.weight, features.1.bias, features.1.running_mean, features.1.running_var, features.1.num_batches_tracked and ", problem);
    }

    [Fact]
    public void OneMissingKeyIsNamed()
    {
        using var directory = new TemporaryDirectory();
        string path = directory.File("partial.safetensors");
        using var source = SmallModels.Create(SmallModels.Tiny, 1);
        var tensors = source.State().Where(e => e.Key != "classifier.3.bias").Select(e => new SafetensorsTensorSource(
            e.Key, e.ElementType == VggSharp.Layers.StateElementType.Int64 ? SafetensorsDataType.I64 : SafetensorsDataType.F32,
            e.Shape.Select(d => (long)d).ToArray(), () => e.Bytes)).ToList();
        SafetensorsWriter.Write(path, tensors);

        Assert.Equal("missing key classifier.3.bias for configuration BN:4,M,8,M width 1", RefuseInto(source, path).Problem);
    }

    [Fact]
    public void BytesAreUnsupportedByName()
    {
        using var directory = new TemporaryDirectory();
        string path = directory.File("u8.safetensors");
        using var source = SmallModels.Create(SmallModels.Tiny, 1);
        var tensors = source.State().Select(e => e.Key == "features.0.weight"
            ? new SafetensorsTensorSource(e.Key, SafetensorsDataType.U8, e.Shape.Select(d => (long)d).ToArray(), () => new byte[e.ByteLength / 4])
            : new SafetensorsTensorSource(e.Key, e.ElementType == VggSharp.Layers.StateElementType.Int64 ? SafetensorsDataType.I64 : SafetensorsDataType.F32,
                e.Shape.Select(d => (long)d).ToArray(), () => e.Bytes)).ToList();
        SafetensorsWriter.Write(path, tensors);

        const string expected = "unsupported dtype U8 for features.0.weight: weights load from F32, F16, BF16 or F64 and batch counters from I64";
        Assert.Equal(expected, RefuseInto(source, path).Problem);
        Assert.Equal(expected, Assert.Throws<WeightsFormatException>(() => VggModelFile.Load(path, SmallModels.Tiny)).Problem);
    }

    [Fact]
    public void CounterStoredAsFloatIsNamed()
    {
        using var directory = new TemporaryDirectory();
        string path = directory.File("f32-counter.safetensors");
        using var source = SmallModels.Create(SmallModels.Tiny, 1);
        var tensors = source.State().Select(e => e.ElementType == VggSharp.Layers.StateElementType.Int64
            ? new SafetensorsTensorSource(e.Key, SafetensorsDataType.F32, [], () => new byte[4])
            : new SafetensorsTensorSource(e.Key, SafetensorsDataType.F32, e.Shape.Select(d => (long)d).ToArray(), () => e.Bytes)).ToList();
        SafetensorsWriter.Write(path, tensors);

        Assert.Equal("features.1.num_batches_tracked is F32 in the file but I64 in the model", RefuseInto(source, path).Problem);
    }

    [Fact]
    public void AModelBiggerThanTheFileIsRefusedBeforeBuildingIt()
    {
        string torch = Path.Combine(AppContext.BaseDirectory, "fixtures", "vgg_tiny.safetensors");

        var e = Assert.Throws<WeightsFormatException>(() => VggModelFile.Load(torch, new VggOptions { Configuration = "8,M,16,M,32,32,M,32,32,M,32,32,M" }));

        Assert.Contains("configuration 8,M,16,M,32,32,M,32,32,M,32,32,M width 1 holds", e.Problem);
        Assert.Contains("it is for another architecture", e.Problem);
    }
}
