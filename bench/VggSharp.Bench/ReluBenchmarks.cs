using BenchmarkDotNet.Attributes;
using VggSharp.Tensors;

namespace VggSharp.Bench;

/// <summary>ReLU on the feature maps that end each stage of configuration D at 224, batch 1, forward and backward, on both backends.</summary>
public class ReluBenchmarks : WorkloadBenchmark<FeatureMapShape>
{
    private Tensor _input = null!, _output = null!, _gradOutput = null!, _gradInput = null!;

    public static IEnumerable<Workload<FeatureMapShape>> Workloads() =>
        Workload<FeatureMapShape>.On(BenchmarkBackends.All, NetworkShapes.StageEndReLUs(NetworkShapes.Paper(224), batch: 1));

    protected override void Prepare(FeatureMapShape s)
    {
        _input = Random(1, s.Batch, s.Channels, s.Size, s.Size);
        _output = Zeros(_input.Shape);
        _gradOutput = Random(2, s.Batch, s.Channels, s.Size, s.Size);
        _gradInput = Zeros(_input.Shape);
        Backend.ReluForward(_input, _output);
    }

    /// <summary>Out of place, so every call sees the same half-negative input (the network runs it in place).</summary>
    [Benchmark]
    public void Forward() => Backend.ReluForward(_input, _output);

    [Benchmark]
    public void Backward() => Backend.ReluBackward(_output, _gradOutput, _gradInput);
}
