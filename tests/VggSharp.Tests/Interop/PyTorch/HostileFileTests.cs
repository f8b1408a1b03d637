using VggSharp.Interop;
using Xunit;

namespace VggSharp.Tests.Interop.PyTorch;

/// <summary>
/// Files made by make_pytorch_fixtures.py to attack the reader, in both formats: each is refused with a reason,
/// before anything is run or allocated by the sizes it claims.
/// </summary>
public class HostileFileTests
{
    [Theory]
    [InlineData("hostile_os_system.pth", "the pickle refers to posix.system, which is not on the allow-list")]
    [InlineData("hostile_os_system_legacy.pth", "the pickle refers to posix.system, which is not on the allow-list")]
    [InlineData("hostile_module.pth", "the file pickles a model object (torchvision.models.vgg.VGG), not a state_dict; save it with torch.save(model.state_dict(), path)")]
    [InlineData("hostile_module_legacy.pth", "the file pickles a model object (torchvision.models.vgg.VGG), not a state_dict")]
    [InlineData("hostile_huge_storage.pth", "storage 0 holds 1099511627776 torch.FloatStorage elements but its record has 4 bytes")]
    [InlineData("hostile_huge_storage_legacy.pth", "truncated: storage 0 claims 1099511627776 torch.FloatStorage elements, more than the 365-byte file holds")]
    [InlineData("hostile_huge_tensor.pth", "a tensor on a torch.FloatStorage of 1 elements: size [1048576, 1048576], stride [1048576, 1] at offset 0 reaches element 1099511627775 but the storage has 1")]
    [InlineData("hostile_huge_tensor_legacy.pth", "a tensor on a torch.FloatStorage of 1 elements: size [1048576, 1048576], stride [1048576, 1] at offset 0 reaches element 1099511627775")]
    public void IsRefusedWithTheReasonAndLittleMemory(string file, string reason)
    {
        string path = PyTorchFixtures.File(file);
        long before = GC.GetAllocatedBytesForCurrentThread();

        var e = Assert.Throws<WeightsFormatException>(() => WeightsFile.Load(path).Dispose());

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains(reason, e.Problem);
        Assert.Equal(path, e.FilePath);
        Assert.True(allocated < 2_000_000, $"{allocated} bytes allocated");
    }

    [Fact]
    public void AStateDictOfAnotherNetworkSaysWhatIsMissing()
    {
        using var directory = new TemporaryDirectory();
        string path = directory.File("not-vgg.safetensors");
        SafetensorsWriter.Write(path, [new SafetensorsTensorSource("conv1.weight", SafetensorsDataType.F32, [2, 3, 3, 3], () => new byte[216])]);

        var e = Assert.Throws<WeightsFormatException>(() => WeightsFile.Load(path));

        Assert.Equal("no convolution weights under torchvision's keys (features.N.weight); the file's keys begin conv1.weight; "
            + "cannot infer the architecture (give the configuration explicitly, --config)", e.Problem);
    }

    [Fact]
    public void OtherFilesAreNotTakenForWeights()
    {
        using var directory = new TemporaryDirectory();
        string text = directory.File("notes.txt");
        File.WriteAllText(text, "not weights");
        string empty = directory.File("empty.pth");
        File.WriteAllBytes(empty, []);

        Assert.Contains("not a weights file VggSharp knows", Assert.Throws<WeightsFormatException>(() => WeightsFile.Load(text)).Problem);
        Assert.Equal("truncated: too short for a PyTorch file", Assert.Throws<WeightsFormatException>(() => WeightsFile.Load(empty)).Problem);
        Assert.Equal("not a valid ONNX model: the model has no graph",
            Assert.Throws<WeightsFormatException>(() => WeightsFile.Load(Renamed(directory, "model.onnx"))).Problem);
    }

    private static string Renamed(TemporaryDirectory directory, string name)
    {
        string path = directory.File(name);
        File.WriteAllBytes(path, [8, 1, 18, 0]);
        return path;
    }
}
