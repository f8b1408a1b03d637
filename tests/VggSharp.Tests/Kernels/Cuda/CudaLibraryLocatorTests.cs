using VggSharp.Kernels.Cuda;
using Xunit;

namespace VggSharp.Tests.Kernels.Cuda;

/// <summary>The CUDA library search on a fake folder tree: folder order, versions, dependencies first, by absolute path.</summary>
public sealed class CudaLibraryLocatorTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("vggsharp-cuda-").FullName;

    [Fact]
    public void FoldersFollowTheDocumentedOrder()
    {
        string custom = Make("custom"), ld = Make("ld");
        string toolkit = Make("usr/local/cuda/lib64"), versioned = Make("usr/local/cuda-12.10/lib64"), older = Make("usr/local/cuda-12.4/lib64");
        string distribution = Make("usr/lib/x86_64-linux-gnu");
        string wheel = Make("opt/torch/.venv/lib/python3.12/site-packages/nvidia/cu13/lib");
        string cudnn = Make("opt/torch/.venv/lib/python3.12/site-packages/nvidia/cudnn/lib");
        string system = Make("usr/local/lib/python3.11/dist-packages/nvidia/cublas/lib");
        var locator = Locator(("VGGSHARP_CUDA_PATH", custom), ("LD_LIBRARY_PATH", $"{ld}::/does/not/exist"));
        Assert.Equal([custom, ld, toolkit, versioned, older, distribution, wheel, cudnn, system], locator.Folders());
    }

    [Fact]
    public void FindsTheFirstFolderWithAMainFileAndPreloadsItsDependenciesFromThere()
    {
        string toolkit = Make("usr/local/cuda/lib64");
        Touch(toolkit, "libcublasLt.so.12", "libcublas.so.12");
        string wheel = Make("opt/torch/.venv/lib/python3.12/site-packages/nvidia/cu13/lib");
        Touch(wheel, "libcudart.so.13", "libcublasLt.so.13", "libcublas.so.13", "libnvrtc-builtins.so.13.0", "libnvrtc.so.13");
        string cudnn = Make("opt/torch/.venv/lib/python3.12/site-packages/nvidia/cudnn/lib");
        Touch(cudnn, "libcudnn.so.9", "libcudnn_graph.so.9", "libcudnn_ops.so.9", "libcudnn_cnn.so.9", "libcudnn_adv.so.9");
        var locator = Locator();

        Assert.Equal([Path.Combine(toolkit, "libcublasLt.so.12"), Path.Combine(toolkit, "libcublas.so.12")], locator.Find(CudaLibraryNames.Blas));
        Assert.Equal([Path.Combine(wheel, "libcudart.so.13")], locator.Find(CudaLibraryNames.Runtime));
        Assert.Equal([Path.Combine(wheel, "libnvrtc-builtins.so.13.0"), Path.Combine(wheel, "libnvrtc.so.13")], locator.Find(CudaLibraryNames.Rtc));
        Assert.Equal(
            ["libcudnn_graph.so.9", "libcudnn_ops.so.9", "libcudnn_cnn.so.9", "libcudnn_adv.so.9", "libcudnn.so.9"],
            locator.Find(CudaLibraryNames.Dnn)!.Select(f => Path.GetRelativePath(cudnn, f)));
        Assert.Null(locator.Find(CudaLibraryNames.Driver));

        string custom = Make("custom");
        Touch(custom, "libcublasLt.so.13", "libcublas.so.13");
        Assert.Equal(Path.Combine(custom, "libcublas.so.13"), Locator(("VGGSHARP_CUDA_PATH", custom)).Find(CudaLibraryNames.Blas)![^1]);
    }

    [Fact]
    public void NewerVersionsWinWithinAFolder()
    {
        string folder = Make("usr/local/cuda/lib64");
        Touch(folder, "libcudart.so.12", "libcudart.so.13");
        Assert.Equal([Path.Combine(folder, "libcudart.so.13")], Locator().Find(CudaLibraryNames.Runtime));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private CudaLibraryLocator Locator(params (string Name, string Value)[] environment) =>
        new(name => environment.FirstOrDefault(e => e.Name == name).Value, _root);

    private string Make(string relative) => Directory.CreateDirectory(Path.Combine(_root, relative)).FullName;

    private static void Touch(string folder, params string[] files)
    {
        foreach (string file in files) File.WriteAllBytes(Path.Combine(folder, file), []);
    }
}
