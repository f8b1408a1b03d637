using VggSharp.Interop;
using Xunit;

namespace VggSharp.Tests.Interop;

public class ClassNamesMetadataTests
{
    [Fact]
    public void ClassNamesRoundTripAndAreOptional()
    {
        using var directory = new TemporaryDirectory();
        using var model = SmallModels.Create(SmallModels.Tiny, 1);
        string named = directory.File("named.safetensors"), plain = directory.File("plain.safetensors");
        VggModelFile.Save(model, named, classNames: ["cat", "dog \"big\"", "émeu"]);
        VggModelFile.Save(model, plain);

        Assert.Equal(["cat", "dog \"big\"", "émeu"], VggModelFile.ReadClassNames(named));
        Assert.Null(VggModelFile.ReadClassNames(plain));
        using var loaded = VggModelFile.Load(named);
        Assert.Equal(3, loaded.Options.Classes);
        Assert.Throws<ArgumentException>(() => VggModelFile.Save(model, plain, classNames: ["one"]));
    }

    [Fact]
    public void AnExtraClassNamesEntryIsReadAndAMalformedOneIsRefused()
    {
        using var directory = new TemporaryDirectory();
        using var model = SmallModels.Create(SmallModels.Tiny, 1);
        string extra = directory.File("extra.safetensors"), bad = directory.File("bad.safetensors"), wrong = directory.File("wrong.safetensors");
        VggModelFile.Save(model, extra, new Dictionary<string, string> { ["class_names"] = "[\"a\",\"b\",\"c\"]" });
        VggModelFile.Save(model, bad, new Dictionary<string, string> { ["class_names"] = "a,b,c" });
        VggModelFile.Save(model, wrong, new Dictionary<string, string> { ["class_names"] = "[\"a\",\"b\"]" });

        Assert.Equal(["a", "b", "c"], VggModelFile.ReadClassNames(extra));
        Assert.Contains("not a JSON array", Assert.Throws<WeightsFormatException>(() => VggModelFile.ReadClassNames(bad)).Message);
        Assert.Contains("names 2 classes", Assert.Throws<WeightsFormatException>(() => VggModelFile.ReadClassNames(wrong)).Message);
    }
}
