using BenchmarkDotNet.Attributes;

namespace VggSharp.Bench;

/// <summary>
/// The GEMM-shaped fully-connected layers of the paper's head (25088-4096, 4096-4096, 4096-1000) at batch 8, and of the
/// main job's small head on its batch of 128; fast backend only.
/// </summary>
public class LinearBenchmarks : WorkloadBenchmark<LinearShape>
{
    private WeightedLayerTensors _layer = null!;

    public static IEnumerable<Workload<LinearShape>> Workloads() =>
        [
            .. Workload<LinearShape>.On([BenchmarkBackends.Fast], NetworkShapes.ClassifierLayers(NetworkShapes.Paper(224), batch: 8)),
            .. Workload<LinearShape>.On([BenchmarkBackends.Fast], NetworkShapes.ClassifierLayers(NetworkShapes.MainJob, NetworkShapes.MainJobBatch)),
        ];

    protected override void Prepare(LinearShape s) =>
        _layer = Own(WeightedLayerTensors.Random([s.Batch, s.InFeatures], [s.OutFeatures, s.InFeatures], [s.Batch, s.OutFeatures]));

    [Benchmark]
    public void Forward() => Backend.LinearForward(_layer.Input, _layer.Weight, _layer.Bias, _layer.Output);

    /// <summary>Uses the random output as the output gradient.</summary>
    [Benchmark]
    public void BackwardData() => Backend.LinearBackwardData(_layer.Output, _layer.Weight, _layer.GradInput);

    /// <summary>Accumulates into the same gradients every call, as summing over mini-batches does.</summary>
    [Benchmark]
    public void BackwardWeights() => Backend.LinearBackwardWeights(_layer.Input, _layer.Output, _layer.GradWeight, _layer.GradBias);
}
