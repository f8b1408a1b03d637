using BenchmarkDotNet.Attributes;
using VggSharp.Tensors;

namespace VggSharp.Bench;

/// <summary>
/// A benchmark class whose setup allocates native tensors: it creates them through these helpers, and they are
/// disposed after the last iteration, so each class says only which tensors it needs.
/// </summary>
public abstract class TensorBenchmark
{
    private readonly List<IDisposable> _owned = [];

    /// <summary>A seeded tensor of uniform values in [-1, 1), disposed at cleanup.</summary>
    protected Tensor Random(int seed, params int[] shape) => Own(RandomTensors.Uniform(seed, shape));

    /// <summary>A zero-filled tensor, disposed at cleanup.</summary>
    protected Tensor Zeros(params int[] shape) => Zeros(new TensorShape(shape));

    /// <inheritdoc cref="Zeros(int[])" />
    protected Tensor Zeros(TensorShape shape) => Own(new Tensor(shape));

    /// <summary>Disposes <paramref name="resource"/> at cleanup.</summary>
    protected T Own<T>(T resource) where T : IDisposable
    {
        _owned.Add(resource);
        return resource;
    }

    /// <summary>Frees what the setup allocated.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var resource in _owned) resource.Dispose();
        _owned.Clear();
    }
}
