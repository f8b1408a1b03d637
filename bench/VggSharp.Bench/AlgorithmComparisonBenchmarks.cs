using BenchmarkDotNet.Attributes;
using VggSharp.Kernels;
using VggSharp.Kernels.Fast;

namespace VggSharp.Bench;

/// <summary>
/// The fast backend's two convolution algorithms side by side on the same shapes: im2col with GEMM, and Winograd
/// F(4x4, 3x3) (forced, so shapes that <see cref="ConvolutionAlgorithm.Auto"/> leaves on im2col show why).
/// Forward, backward to the data, backward to the filter.
/// </summary>
public class AlgorithmComparisonBenchmarks : TensorBenchmark
{
    private IBackend _backend = null!;
    private WeightedLayerTensors _layer = null!;

    public static IEnumerable<AlgorithmComparisonShape> Shapes() => AlgorithmComparisonShape.All;

    [ParamsSource(nameof(Shapes))]
    public AlgorithmComparisonShape Shape { get; set; } = null!;

    [Params(ConvolutionAlgorithm.Im2Col, ConvolutionAlgorithm.Winograd)]
    public ConvolutionAlgorithm Algorithm { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var s = Shape;
        _backend = new FastBackend(convolution: Algorithm);
        _layer = Own(WeightedLayerTensors.Random([s.Batch, s.InChannels, s.Size, s.Size], [s.OutChannels, s.InChannels, 3, 3],
            [s.Batch, s.OutChannels, s.Size, s.Size]));
    }

    [Benchmark]
    public void Forward() => _backend.Conv2dForward(_layer.Input, _layer.Weight, _layer.Bias, _layer.Output, 1);

    /// <summary>Uses the random output as the output gradient.</summary>
    [Benchmark]
    public void BackwardData() => _backend.Conv2dBackwardData(_layer.Output, _layer.Weight, _layer.GradInput, 1);

    /// <summary>Accumulates into the same gradients every call, as summing over mini-batches does.</summary>
    [Benchmark]
    public void BackwardFilter() => _backend.Conv2dBackwardFilter(_layer.Input, _layer.Output, _layer.GradWeight, _layer.GradBias, 1);
}
