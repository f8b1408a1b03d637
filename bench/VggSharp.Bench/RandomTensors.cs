using VggSharp.Tensors;

namespace VggSharp.Bench;

/// <summary>Seeded random inputs, so every run and backend times the same data (ReLU and pooling are data-dependent).</summary>
public static class RandomTensors
{
    /// <summary>A tensor of uniform values in [-1, 1).</summary>
    public static Tensor Uniform(int seed, params int[] shape)
    {
        var tensor = new Tensor(shape);
        var random = new Random(seed);
        var span = tensor.Span;
        for (int i = 0; i < span.Length; i++) span[i] = random.NextSingle() * 2 - 1;
        return tensor;
    }
}
