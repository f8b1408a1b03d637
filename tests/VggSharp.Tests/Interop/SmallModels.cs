using VggSharp.Interop;
using VggSharp.Layers;
using VggSharp.Models;

namespace VggSharp.Tests.Interop;

/// <summary>Small initialised models and helpers to compare their state.</summary>
public static class SmallModels
{
    /// <summary>Configuration A (or another) at width 1/8 for 32x32 input, small head, 10 classes.</summary>
    public static VggOptions Options(string configuration = "A") => new()
    {
        Configuration = configuration, WidthMultiplier = 0.125, InputSize = 32, Head = VggHead.Small, HiddenUnits = 32, Classes = 10,
    };

    /// <summary>A model of a few KB with batch norm, for the fuzz tests.</summary>
    public static VggOptions Tiny => new()
    {
        Configuration = "BN:4,M,8,M", InputSize = 8, Head = VggHead.Small, HiddenUnits = 8, Classes = 3,
    };

    /// <summary>Builds and initialises a model; batch-norm statistics get distinct values, as after training.</summary>
    public static VggModel Create(VggOptions options, ulong seed)
    {
        var model = VggModel.Create(options, scheme: InitScheme.Kaiming, seed: seed);
        var random = new Random((int)seed);
        foreach (var layer in model.Network.Layers.OfType<BatchNorm2d>())
        {
            foreach (var t in new[] { layer.Weight.Value, layer.Bias.Value, layer.RunningMean, layer.RunningVariance })
            {
                var span = t.Span;
                for (int i = 0; i < span.Length; i++) span[i] = (float)(0.5 + random.NextDouble());
            }
        }
        foreach (var counter in model.State().Where(e => e.ElementType == StateElementType.Int64))
            BitConverter.TryWriteBytes(counter.Bytes, 1000L + random.Next(1000));
        return model;
    }

    /// <summary>Every state entry's bytes by key.</summary>
    public static Dictionary<string, byte[]> Snapshot(VggModel model) => model.State().ToDictionary(e => e.Key, e => e.Bytes.ToArray());

    /// <summary>Asserts two snapshots hold the same keys and identical bytes.</summary>
    public static void AssertSame(Dictionary<string, byte[]> expected, Dictionary<string, byte[]> actual)
    {
        Xunit.Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (key, bytes) in expected) Xunit.Assert.True(bytes.AsSpan().SequenceEqual(actual[key]), $"{key} differs");
    }

    /// <summary>The logits for a seeded batch.</summary>
    public static float[] Logits(VggModel model, int seed = 7)
    {
        using var input = TestData.Random(seed, 2, model.Options.InputChannels, model.Options.InputSize, model.Options.InputSize);
        return model.Forward(input, ForwardContext.Inference).ToArray();
    }

    /// <summary>Writes a tiny model and returns the file's bytes.</summary>
    public static byte[] TinyFileBytes(TemporaryDirectory directory)
    {
        using var model = Create(Tiny, 3);
        string path = directory.File("tiny.safetensors");
        VggModelFile.Save(model, path);
        return File.ReadAllBytes(path);
    }
}
