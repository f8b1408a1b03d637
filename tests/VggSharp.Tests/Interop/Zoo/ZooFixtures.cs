using VggSharp.Interop.Numpy;
using VggSharp.Layers;
using VggSharp.Models;
using VggSharp.Tensors;
using Xunit;

namespace VggSharp.Tests.Interop.Zoo;

/// <summary>The files tests/fixtures/make_zoo_fixtures.py writes in tests/fixtures/zoo, and the comparison of logits with theirs.</summary>
public static class ZooFixtures
{
    /// <summary>The path of a fixture in tests/fixtures/zoo.</summary>
    public static string File(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "zoo", name);

    /// <summary>An .npy fixture as a tensor of its shape: from tests/fixtures/zoo, or tests/fixtures/pytorch for its inputs at 224 and 64.</summary>
    public static Tensor Array(string name)
    {
        string path = System.IO.File.Exists(File(name)) ? File(name) : Path.Combine(AppContext.BaseDirectory, "fixtures", "pytorch", name);
        using var reader = NpyReader.Open(path);
        var tensor = new Tensor(reader.Shape.Select(d => (int)d).ToArray());
        reader.Read(0, tensor.Span);
        return tensor;
    }

    /// <summary>Asserts that <paramref name="model"/>'s logits for input_SIZE.npy are within 1e-4 (relative) of the fixture <paramref name="expected"/>.</summary>
    public static void AssertLogits(VggModel model, int size, string expected)
    {
        using var input = Array($"input_{size}.npy");
        using var reference = Array(expected);
        var logits = model.Forward(input, ForwardContext.Inference);

        Assert.Equal(reference.Shape, logits.Shape);
        double error = TestData.RelativeError(logits.Span, reference.Span);
        Assert.True(error < 1e-4, $"relative error {error}");
    }
}
