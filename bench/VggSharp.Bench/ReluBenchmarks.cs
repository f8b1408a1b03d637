using BenchmarkDotNet.Attributes;
using VggSharp.Kernels;
using VggSharp.Tensors;

namespace VggSharp.Bench;

/// <summary>ReLU on the feature maps that end each stage of configuration D at 224, batch 1, forward and backward, on both backends.</summary>
public class ReluBenchmarks
{
    private IBackend _backend = null!;
    private Tensor _input = null!, _output = null!, _gradOutput = null!, _gradInput = null!;

    public static IEnumerable<Workload<FeatureMapShape>> Workloads() =>
        Workload<FeatureMapShape>.On(BenchmarkBackends.All, NetworkShapes.StageEndReLUs(NetworkShapes.Paper(224), batch: 1));

    [ParamsSource(nameof(Workloads))]
    public Workload<FeatureMapShape> Workload { get; set; } = null!;

    [GlobalSetup]
    public void Setup()
    {
        var s = Workload.Shape;
        _backend = BenchmarkBackends.Resolve(Workload.Backend);
        _input = RandomTensors.Uniform(1, s.Batch, s.Channels, s.Size, s.Size);
        _output = new Tensor(_input.Shape);
        _gradOutput = RandomTensors.Uniform(2, s.Batch, s.Channels, s.Size, s.Size);
        _gradInput = new Tensor(_input.Shape);
        _backend.ReluForward(_input, _output);
    }

    /// <summary>Out of place, so every call sees the same half-negative input (the network runs it in place).</summary>
    [Benchmark]
    public void Forward() => _backend.ReluForward(_input, _output);

    [Benchmark]
    public void Backward() => _backend.ReluBackward(_output, _gradOutput, _gradInput);

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var t in (Tensor[])[_input, _output, _gradOutput, _gradInput]) t.Dispose();
    }
}
