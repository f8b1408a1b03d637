using BenchmarkDotNet.Attributes;
using VggSharp.Kernels;
using VggSharp.Tensors;

namespace VggSharp.Bench;

/// <summary>
/// Every distinct convolution of configuration D for one image, at 224 (the paper's size; fast backend only) and at
/// 32 (small enough for the reference backend too), and of the main job's network on its batch of 128 (fast backend):
/// forward, backward to the data, backward to the filter.
/// </summary>
public class ConvolutionBenchmarks
{
    private IBackend _backend = null!;
    private Tensor _input = null!, _weight = null!, _bias = null!, _output = null!;
    private Tensor _gradInput = null!, _gradWeight = null!, _gradBias = null!;

    public static IEnumerable<Workload<ConvolutionShape>> Workloads() =>
    [
        .. Workload<ConvolutionShape>.On([BenchmarkBackends.Fast], NetworkShapes.Convolutions(NetworkShapes.Paper(224), batch: 1)),
        .. Workload<ConvolutionShape>.On(BenchmarkBackends.All, NetworkShapes.Convolutions(NetworkShapes.Paper(32), batch: 1)),
        .. Workload<ConvolutionShape>.On([BenchmarkBackends.Fast], NetworkShapes.Convolutions(NetworkShapes.MainJob, NetworkShapes.MainJobBatch)),
    ];

    [ParamsSource(nameof(Workloads))]
    public Workload<ConvolutionShape> Workload { get; set; } = null!;

    [GlobalSetup]
    public void Setup()
    {
        var s = Workload.Shape;
        _backend = BenchmarkBackends.Resolve(Workload.Backend);
        _input = RandomTensors.Uniform(1, s.Batch, s.InChannels, s.Size, s.Size);
        _weight = RandomTensors.Uniform(2, s.OutChannels, s.InChannels, s.KernelSize, s.KernelSize);
        _bias = RandomTensors.Uniform(3, s.OutChannels);
        _output = RandomTensors.Uniform(4, s.Batch, s.OutChannels, s.Size, s.Size);
        _gradInput = new Tensor(_input.Shape);
        _gradWeight = new Tensor(_weight.Shape);
        _gradBias = new Tensor(_bias.Shape);
    }

    [Benchmark]
    public void Forward() => _backend.Conv2dForward(_input, _weight, _bias, _output, Workload.Shape.Padding);

    /// <summary>Uses the random output as the output gradient.</summary>
    [Benchmark]
    public void BackwardData() => _backend.Conv2dBackwardData(_output, _weight, _gradInput, Workload.Shape.Padding);

    /// <summary>Accumulates into the same gradients every call, as summing over mini-batches does.</summary>
    [Benchmark]
    public void BackwardFilter() => _backend.Conv2dBackwardFilter(_input, _output, _gradWeight, _gradBias, Workload.Shape.Padding);

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var t in (Tensor[])[_input, _weight, _bias, _output, _gradInput, _gradWeight, _gradBias]) t.Dispose();
    }
}
