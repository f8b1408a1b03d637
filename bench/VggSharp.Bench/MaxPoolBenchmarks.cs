using BenchmarkDotNet.Attributes;
using VggSharp.Kernels;
using VggSharp.Tensors;

namespace VggSharp.Bench;

/// <summary>The five 2x2 max-pooling layers of configuration D at 224, batch 1, forward and backward, on both backends (memory-bound, so the reference finishes).</summary>
public class MaxPoolBenchmarks
{
    private IBackend _backend = null!;
    private Tensor _input = null!, _output = null!, _gradInput = null!;
    private int[] _argmax = [];

    public static IEnumerable<Workload<FeatureMapShape>> Workloads() =>
        Workload<FeatureMapShape>.On(BenchmarkBackends.All, NetworkShapes.PoolInputs(NetworkShapes.Paper(224), batch: 1));

    [ParamsSource(nameof(Workloads))]
    public Workload<FeatureMapShape> Workload { get; set; } = null!;

    [GlobalSetup]
    public void Setup()
    {
        var s = Workload.Shape;
        _backend = BenchmarkBackends.Resolve(Workload.Backend);
        _input = RandomTensors.Uniform(1, s.Batch, s.Channels, s.Size, s.Size);
        _output = new Tensor(s.Batch, s.Channels, s.Size / 2, s.Size / 2);
        _gradInput = new Tensor(_input.Shape);
        _argmax = new int[_output.Length];
        // Backward routes through the argmax of a real forward pass.
        _backend.MaxPoolForward(_input, _output, _argmax);
    }

    [Benchmark]
    public void Forward() => _backend.MaxPoolForward(_input, _output, _argmax);

    /// <summary>Uses the pooled output as the output gradient.</summary>
    [Benchmark]
    public void Backward() => _backend.MaxPoolBackward(_output, _argmax, _gradInput);

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var t in (Tensor[])[_input, _output, _gradInput]) t.Dispose();
    }
}
