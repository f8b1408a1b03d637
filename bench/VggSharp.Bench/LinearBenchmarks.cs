using BenchmarkDotNet.Attributes;
using VggSharp.Kernels;
using VggSharp.Tensors;

namespace VggSharp.Bench;

/// <summary>
/// The GEMM-shaped fully-connected layers of the paper's head (25088-4096, 4096-4096, 4096-1000) at batch 8, and of the
/// main job's small head on its batch of 128; fast backend only.
/// </summary>
public class LinearBenchmarks
{
    private IBackend _backend = null!;
    private Tensor _input = null!, _weight = null!, _bias = null!, _output = null!;
    private Tensor _gradInput = null!, _gradWeight = null!, _gradBias = null!;

    public static IEnumerable<Workload<LinearShape>> Workloads() =>
        [
            .. Workload<LinearShape>.On([BenchmarkBackends.Fast], NetworkShapes.ClassifierLayers(NetworkShapes.Paper(224), batch: 8)),
            .. Workload<LinearShape>.On([BenchmarkBackends.Fast], NetworkShapes.ClassifierLayers(NetworkShapes.MainJob, NetworkShapes.MainJobBatch)),
        ];

    [ParamsSource(nameof(Workloads))]
    public Workload<LinearShape> Workload { get; set; } = null!;

    [GlobalSetup]
    public void Setup()
    {
        var s = Workload.Shape;
        _backend = BenchmarkBackends.Resolve(Workload.Backend);
        _input = RandomTensors.Uniform(1, s.Batch, s.InFeatures);
        _weight = RandomTensors.Uniform(2, s.OutFeatures, s.InFeatures);
        _bias = RandomTensors.Uniform(3, s.OutFeatures);
        _output = RandomTensors.Uniform(4, s.Batch, s.OutFeatures);
        _gradInput = new Tensor(_input.Shape);
        _gradWeight = new Tensor(_weight.Shape);
        _gradBias = new Tensor(_bias.Shape);
    }

    [Benchmark]
    public void Forward() => _backend.LinearForward(_input, _weight, _bias, _output);

    /// <summary>Uses the random output as the output gradient.</summary>
    [Benchmark]
    public void BackwardData() => _backend.LinearBackwardData(_output, _weight, _gradInput);

    /// <summary>Accumulates into the same gradients every call, as summing over mini-batches does.</summary>
    [Benchmark]
    public void BackwardWeights() => _backend.LinearBackwardWeights(_input, _output, _gradWeight, _gradBias);

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var t in (Tensor[])[_input, _weight, _bias, _output, _gradInput, _gradWeight, _gradBias]) t.Dispose();
    }
}
