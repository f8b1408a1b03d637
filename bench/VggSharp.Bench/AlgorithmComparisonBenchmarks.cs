using BenchmarkDotNet.Attributes;
using VggSharp.Kernels;
using VggSharp.Kernels.Fast;
using VggSharp.Tensors;

namespace VggSharp.Bench;

/// <summary>
/// The fast backend's two convolution algorithms side by side on the same shapes: im2col with GEMM, and Winograd
/// F(4x4, 3x3) (forced, so shapes that <see cref="ConvolutionAlgorithm.Auto"/> leaves on im2col show why).
/// Forward, backward to the data, backward to the filter.
/// </summary>
public class AlgorithmComparisonBenchmarks
{
    private IBackend _backend = null!;
    private Tensor _input = null!, _weight = null!, _bias = null!, _output = null!;
    private Tensor _gradInput = null!, _gradWeight = null!, _gradBias = null!;

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
        _input = RandomTensors.Uniform(1, s.Batch, s.InChannels, s.Size, s.Size);
        _weight = RandomTensors.Uniform(2, s.OutChannels, s.InChannels, 3, 3);
        _bias = RandomTensors.Uniform(3, s.OutChannels);
        _output = RandomTensors.Uniform(4, s.Batch, s.OutChannels, s.Size, s.Size);
        _gradInput = new Tensor(_input.Shape);
        _gradWeight = new Tensor(_weight.Shape);
        _gradBias = new Tensor(_bias.Shape);
    }

    [Benchmark]
    public void Forward() => _backend.Conv2dForward(_input, _weight, _bias, _output, 1);

    /// <summary>Uses the random output as the output gradient.</summary>
    [Benchmark]
    public void BackwardData() => _backend.Conv2dBackwardData(_output, _weight, _gradInput, 1);

    /// <summary>Accumulates into the same gradients every call, as summing over mini-batches does.</summary>
    [Benchmark]
    public void BackwardFilter() => _backend.Conv2dBackwardFilter(_input, _output, _gradWeight, _gradBias, 1);

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var t in (Tensor[])[_input, _weight, _bias, _output, _gradInput, _gradWeight, _gradBias]) t.Dispose();
    }
}
