using BenchmarkDotNet.Attributes;
using VggSharp.Tensors;

namespace VggSharp.Bench;

/// <summary>The five 2x2 max-pooling layers of configuration D at 224, batch 1, forward and backward, on both backends (memory-bound, so the reference finishes).</summary>
public class MaxPoolBenchmarks : WorkloadBenchmark<FeatureMapShape>
{
    private Tensor _input = null!, _output = null!, _gradInput = null!, _argmax = null!;

    public static IEnumerable<Workload<FeatureMapShape>> Workloads() =>
        Workload<FeatureMapShape>.On(BenchmarkBackends.All, NetworkShapes.PoolInputs(NetworkShapes.Paper(224), batch: 1));

    protected override void Prepare(FeatureMapShape s)
    {
        _input = Random(1, s.Batch, s.Channels, s.Size, s.Size);
        _output = Zeros(s.Batch, s.Channels, s.Size / 2, s.Size / 2);
        _gradInput = Zeros(_input.Shape);
        _argmax = Zeros(_output.Shape);
        // Backward routes through the argmax of a real forward pass.
        Backend.MaxPoolForward(_input, _output, _argmax);
    }

    [Benchmark]
    public void Forward() => Backend.MaxPoolForward(_input, _output, _argmax);

    /// <summary>Uses the pooled output as the output gradient.</summary>
    [Benchmark]
    public void Backward() => Backend.MaxPoolBackward(_output, _argmax, _gradInput);
}
