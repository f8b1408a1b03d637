using BenchmarkDotNet.Attributes;

namespace VggSharp.Bench;

/// <summary>
/// Every distinct convolution of configuration D for one image, at 224 (the paper's size; fast backend only) and at
/// 32 (small enough for the reference backend too), and of the main job's network on its batch of 128 (fast backend):
/// forward, backward to the data, backward to the filter.
/// </summary>
public class ConvolutionBenchmarks : WorkloadBenchmark<ConvolutionShape>
{
    private WeightedLayerTensors _layer = null!;

    public static IEnumerable<Workload<ConvolutionShape>> Workloads() =>
    [
        .. Workload<ConvolutionShape>.On([BenchmarkBackends.Fast], NetworkShapes.Convolutions(NetworkShapes.Paper(224), batch: 1)),
        .. Workload<ConvolutionShape>.On(BenchmarkBackends.All, NetworkShapes.Convolutions(NetworkShapes.Paper(32), batch: 1)),
        .. Workload<ConvolutionShape>.On([BenchmarkBackends.Fast], NetworkShapes.Convolutions(NetworkShapes.MainJob, NetworkShapes.MainJobBatch)),
    ];

    protected override void Prepare(ConvolutionShape s) =>
        _layer = Own(WeightedLayerTensors.Random([s.Batch, s.InChannels, s.Size, s.Size], [s.OutChannels, s.InChannels, s.KernelSize, s.KernelSize],
            [s.Batch, s.OutChannels, s.Size, s.Size]));

    [Benchmark]
    public void Forward() => Backend.Conv2dForward(_layer.Input, _layer.Weight, _layer.Bias, _layer.Output, Workload.Shape.Padding);

    /// <summary>Uses the random output as the output gradient.</summary>
    [Benchmark]
    public void BackwardData() => Backend.Conv2dBackwardData(_layer.Output, _layer.Weight, _layer.GradInput, Workload.Shape.Padding);

    /// <summary>Accumulates into the same gradients every call, as summing over mini-batches does.</summary>
    [Benchmark]
    public void BackwardFilter() => Backend.Conv2dBackwardFilter(_layer.Input, _layer.Output, _layer.GradWeight, _layer.GradBias, Workload.Shape.Padding);
}
