using BenchmarkDotNet.Attributes;
using VggSharp.Tensors;

namespace VggSharp.Bench;

/// <summary>
/// The head's kernels other than its GEMMs: dropout's mask product on the hidden activations and softmax cross-entropy
/// (loss and gradient) on the logits, for the paper's head at batch 8 (4096 hidden units, 1000 classes) and the main
/// job's at batch 128 (512, 10); both backends.
/// </summary>
public class HeadBenchmarks : WorkloadBenchmark<HeadShape>
{
    private Tensor _logits = null!, _probabilities = null!, _gradLogits = null!, _hidden = null!, _mask = null!, _product = null!, _totals = null!;
    private int[] _labels = [];

    public static IEnumerable<Workload<HeadShape>> Workloads() =>
        Workload<HeadShape>.On(BenchmarkBackends.All,
            [HeadShape.Of("vgg16", NetworkShapes.Paper(224), 8), HeadShape.Of("main-job", NetworkShapes.MainJob, NetworkShapes.MainJobBatch)]);

    protected override void Prepare(HeadShape s)
    {
        _logits = Random(1, s.Batch, s.Classes);
        _probabilities = Zeros(_logits.Shape);
        _gradLogits = Zeros(_logits.Shape);
        _labels = [.. Enumerable.Range(0, s.Batch).Select(n => n % s.Classes)];
        _hidden = Random(2, s.Batch, s.HiddenUnits);
        _mask = Random(3, s.Batch, s.HiddenUnits);
        _product = Zeros(_hidden.Shape);
        _totals = Zeros(2);
    }

    /// <summary>Out of place, so every call sees the same data (the network runs it in place).</summary>
    [Benchmark]
    public void DropoutProduct() => Backend.Multiply(_hidden, _mask, _product);

    [Benchmark]
    public void SoftmaxCrossEntropy() => Backend.SoftmaxCrossEntropy(_logits, _labels, _probabilities, _gradLogits, 1f, _totals);
}
