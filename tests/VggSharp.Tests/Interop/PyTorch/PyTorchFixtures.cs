using VggSharp.Interop.Numpy;
using VggSharp.Tensors;

namespace VggSharp.Tests.Interop.PyTorch;

/// <summary>The files tests/fixtures/make_pytorch_fixtures.py writes with torchvision's own VGG classes.</summary>
public static class PyTorchFixtures
{
    /// <summary>The path of a fixture in tests/fixtures/pytorch.</summary>
    public static string File(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "pytorch", name);

    /// <summary>An .npy fixture as a tensor of its shape.</summary>
    public static Tensor Array(string name)
    {
        using var reader = NpyReader.Open(File(name));
        var tensor = new Tensor(reader.Shape.Select(d => (int)d).ToArray());
        reader.Read(0, tensor.Span);
        return tensor;
    }
}
