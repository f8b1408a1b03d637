using BenchmarkDotNet.Attributes;
using VggSharp.Kernels;
using VggSharp.Tensors;

namespace VggSharp.Bench;

/// <summary>
/// The head's kernels other than its GEMMs: dropout's mask product on the hidden activations and softmax cross-entropy
/// (loss and gradient) on the logits, for the paper's head at batch 8 (4096 hidden units, 1000 classes) and the main
/// job's at batch 128 (512, 10); both backends.
/// </summary>
public class HeadBenchmarks
{
    private IBackend _backend = null!;
    private Tensor _logits = null!, _probabilities = null!, _gradLogits = null!, _hidden = null!, _mask = null!, _product = null!;
    private int[] _labels = [];

    public static IEnumerable<Workload<HeadShape>> Workloads() =>
        Workload<HeadShape>.On(BenchmarkBackends.All,
            [HeadShape.Of("vgg16", NetworkShapes.Paper(224), 8), HeadShape.Of("main-job", NetworkShapes.MainJob, NetworkShapes.MainJobBatch)]);

    [ParamsSource(nameof(Workloads))]
    public Workload<HeadShape> Workload { get; set; } = null!;

    [GlobalSetup]
    public void Setup()
    {
        var s = Workload.Shape;
        _backend = BenchmarkBackends.Resolve(Workload.Backend);
        _logits = RandomTensors.Uniform(1, s.Batch, s.Classes);
        _probabilities = new Tensor(_logits.Shape);
        _gradLogits = new Tensor(_logits.Shape);
        _labels = [.. Enumerable.Range(0, s.Batch).Select(n => n % s.Classes)];
        _hidden = RandomTensors.Uniform(2, s.Batch, s.HiddenUnits);
        _mask = RandomTensors.Uniform(3, s.Batch, s.HiddenUnits);
        _product = new Tensor(_hidden.Shape);
    }

    /// <summary>Out of place, so every call sees the same data (the network runs it in place).</summary>
    [Benchmark]
    public void DropoutProduct() => _backend.Multiply(_hidden, _mask, _product);

    [Benchmark]
    public float SoftmaxCrossEntropy() => _backend.SoftmaxCrossEntropy(_logits, _labels, _probabilities, _gradLogits);

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var t in (Tensor[])[_logits, _probabilities, _gradLogits, _hidden, _mask, _product]) t.Dispose();
    }
}
