using VggSharp.Interop;
using Xunit;

namespace VggSharp.Tests.Interop.Zoo;

/// <summary>
/// State_dicts whose keys a wrapper prefixed (torch.compile's "_orig_mod.", a module's "model.", a Lightning
/// checkpoint's "state_dict" of "model." keys) load as the plain torchvision file, with its logits.
/// </summary>
public class WrapperPrefixTests
{
    [Theory]
    [InlineData("compiled_vgg16.pth", "_orig_mod.")]
    [InlineData("model_vgg16.safetensors", "model.")]
    [InlineData("lightning_vgg16.ckpt", "model.")]
    public void PrefixedKeysLoadWithTheirLogits(string file, string prefix)
    {
        using var source = WeightsFile.Open(ZooFixtures.File(file));
        Assert.Contains($"prefix {prefix} removed", source.FormatName);
        Assert.NotNull(source.Find("features.0.weight"));

        using var vgg = WeightsFile.Load(source);
        Assert.Equal("D", vgg.Options.Configuration);
        ZooFixtures.AssertLogits(vgg, 224, "vgg16.logits224.npy");
    }

    [Fact]
    public void AFileWithoutASharedPrefixIsNamedByItsKeys()
    {
        using var directory = new TemporaryDirectory();
        string path = directory.File("mixed.safetensors");
        using (var source = WeightsFile.Open(ZooFixtures.File("model_vgg16.safetensors")))
        {
            // One key without the prefix: nothing is removed, and the keys that do not fit are named.
            SafetensorsWriter.Write(path, [.. source.Tensors.Select((t, i) =>
            {
                var data = new byte[t.ElementCount * sizeof(float)];
                source.ReadTensor(t, data);
                return new SafetensorsTensorSource(i == 0 ? "features.0.weight" : "model." + t.Name, t.DataType, t.Shape, () => data);
            })]);
        }
        var e = Assert.Throws<WeightsFormatException>(() => WeightsFile.Load(path));
        Assert.Contains("no classifier.0.weight", e.Message);
    }
}
