using BenchmarkDotNet.Attributes;
using VggSharp.Kernels;
using VggSharp.Tensors;

namespace VggSharp.Bench;

/// <summary>
/// Batch norm on every distinct convolution output of the main job's network (VGG-16-BN at a quarter width, 32x32, batch
/// 128), where it is a visible share of a training step: forward in training and evaluation mode, and backward; both backends.
/// </summary>
public class BatchNormBenchmarks
{
    private IBackend _backend = null!;
    private Tensor _input = null!, _output = null!, _gradOutput = null!, _gradInput = null!;
    private Tensor _gamma = null!, _beta = null!, _runningMean = null!, _runningVariance = null!;
    private Tensor _savedMean = null!, _savedInverseStd = null!, _gradGamma = null!, _gradBeta = null!;

    public static IEnumerable<Workload<FeatureMapShape>> Workloads() =>
        Workload<FeatureMapShape>.On(BenchmarkBackends.All, NetworkShapes.ConvolutionOutputs(NetworkShapes.MainJob, NetworkShapes.MainJobBatch));

    [ParamsSource(nameof(Workloads))]
    public Workload<FeatureMapShape> Workload { get; set; } = null!;

    [GlobalSetup]
    public void Setup()
    {
        var s = Workload.Shape;
        _backend = BenchmarkBackends.Resolve(Workload.Backend);
        _input = RandomTensors.Uniform(1, s.Batch, s.Channels, s.Size, s.Size);
        _gradOutput = RandomTensors.Uniform(2, s.Batch, s.Channels, s.Size, s.Size);
        _output = new Tensor(_input.Shape);
        _gradInput = new Tensor(_input.Shape);
        _gamma = RandomTensors.Uniform(3, s.Channels);
        _beta = RandomTensors.Uniform(4, s.Channels);
        _runningMean = new Tensor(s.Channels);
        _runningVariance = new Tensor(s.Channels);
        _runningVariance.Span.Fill(1f);
        _savedMean = new Tensor(s.Channels);
        _savedInverseStd = new Tensor(s.Channels);
        _gradGamma = new Tensor(s.Channels);
        _gradBeta = new Tensor(s.Channels);
        // Backward reads the statistics a training-mode forward pass saved.
        ForwardTraining();
    }

    [Benchmark]
    public void ForwardTraining() => _backend.BatchNormForwardTraining(_input, _gamma, _beta, _runningMean, _runningVariance, 0.1f, 1e-5f,
        _output, _savedMean, _savedInverseStd);

    [Benchmark]
    public void ForwardInference() => _backend.BatchNormForwardInference(_input, _gamma, _beta, _runningMean, _runningVariance, 1e-5f, _output);

    /// <summary>Uses a random output gradient; accumulates into the same parameter gradients every call.</summary>
    [Benchmark]
    public void Backward() => _backend.BatchNormBackward(_input, _gradOutput, _gamma, _savedMean, _savedInverseStd, _gradInput, _gradGamma, _gradBeta);

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var t in (Tensor[])[_input, _output, _gradOutput, _gradInput, _gamma, _beta, _runningMean, _runningVariance, _savedMean,
                     _savedInverseStd, _gradGamma, _gradBeta])
            t.Dispose();
    }
}
