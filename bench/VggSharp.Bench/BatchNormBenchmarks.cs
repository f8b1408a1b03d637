using BenchmarkDotNet.Attributes;
using VggSharp.Tensors;

namespace VggSharp.Bench;

/// <summary>
/// Batch norm on every distinct convolution output of the main job's network (VGG-16-BN at a quarter width, 32x32, batch
/// 128), where it is a visible share of a training step: forward in training and evaluation mode, and backward; both backends.
/// </summary>
public class BatchNormBenchmarks : WorkloadBenchmark<FeatureMapShape>
{
    private Tensor _input = null!, _output = null!, _gradOutput = null!, _gradInput = null!;
    private Tensor _gamma = null!, _beta = null!, _runningMean = null!, _runningVariance = null!;
    private Tensor _savedMean = null!, _savedInverseStd = null!, _gradGamma = null!, _gradBeta = null!;

    public static IEnumerable<Workload<FeatureMapShape>> Workloads() =>
        Workload<FeatureMapShape>.On(BenchmarkBackends.All, NetworkShapes.ConvolutionOutputs(NetworkShapes.MainJob, NetworkShapes.MainJobBatch));

    protected override void Prepare(FeatureMapShape s)
    {
        _input = Random(1, s.Batch, s.Channels, s.Size, s.Size);
        _gradOutput = Random(2, s.Batch, s.Channels, s.Size, s.Size);
        _output = Zeros(_input.Shape);
        _gradInput = Zeros(_input.Shape);
        _gamma = Random(3, s.Channels);
        _beta = Random(4, s.Channels);
        _runningMean = Zeros(s.Channels);
        _runningVariance = Zeros(s.Channels);
        _runningVariance.Span.Fill(1f);
        _savedMean = Zeros(s.Channels);
        _savedInverseStd = Zeros(s.Channels);
        _gradGamma = Zeros(s.Channels);
        _gradBeta = Zeros(s.Channels);
        // Backward reads the statistics a training-mode forward pass saved.
        ForwardTraining();
    }

    [Benchmark]
    public void ForwardTraining() => Backend.BatchNormForwardTraining(_input, _gamma, _beta, _runningMean, _runningVariance, 0.1f, 1e-5f,
        _output, _savedMean, _savedInverseStd);

    [Benchmark]
    public void ForwardInference() => Backend.BatchNormForwardInference(_input, _gamma, _beta, _runningMean, _runningVariance, 1e-5f, _output);

    /// <summary>Uses a random output gradient; accumulates into the same parameter gradients every call.</summary>
    [Benchmark]
    public void Backward() => Backend.BatchNormBackward(_input, _gradOutput, _gamma, _savedMean, _savedInverseStd, _gradInput, _gradGamma, _gradBeta);
}
