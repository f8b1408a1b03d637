using System.Diagnostics;
using VggSharp.Kernels;
using VggSharp.Layers;
using VggSharp.Localisation;
using VggSharp.Models;
using VggSharp.Tensors;

namespace VggSharp.Training;

/// <summary>
/// One forward/backward pass of a training step over images already in a tensor: forward in training mode, softmax
/// cross-entropy, the loss gradient weighted by the pass's share of the step's samples, backward. Parameter gradients
/// accumulate, so a step clears them first, takes one or more passes, then updates. The trainer's steps
/// (<see cref="TrainingRun"/>) and the benchmark's (<see cref="Benchmarking.ModelBenchmark"/>) both go through it, so
/// the benchmark times what training computes.
/// </summary>
internal sealed class TrainingPass(VggModel model, LocalisationObjective? localisation = null) : IDisposable
{
    private readonly SoftmaxCrossEntropyLoss _loss = new(model.Network.Backend);
    private readonly EuclideanBoxLoss? _boxLoss = localisation is null ? null : new(model.Network.Backend, localisation, model.Options.InputSize);
    private long _lossTicks;

    /// <summary>The time spent computing the loss, over every pass so far (a benchmark reports it apart from the layers').</summary>
    public TimeSpan LossTime => Stopwatch.GetElapsedTime(0, _lossTicks);

    /// <summary>
    /// Runs the pass over <paramref name="images"/> and adds their loss sum and correct count to <paramref name="totals"/>
    /// [2], on the network's device (see <see cref="IBackend.SoftmaxCrossEntropy"/>). Dropout masks come from
    /// (<paramref name="seed"/>, <paramref name="step"/>, layer, <paramref name="sampleIndices"/>, or the positions in
    /// the batch when null). <paramref name="share"/> is this pass's part of the step's samples, so the passes'
    /// gradients add up to the gradient of the step's mean loss; <paramref name="layerFinished"/> is told as backward
    /// finishes each layer. A localisation pass takes the Euclidean loss of the boxes instead, against
    /// <paramref name="boxes"/> (4 encoded values per image), and counts the boxes with an IoU above 0.5 as correct.
    /// </summary>
    public void Run(Tensor images, ReadOnlySpan<int> labels, Tensor totals, ulong seed, long step, long[]? sampleIndices = null, float share = 1,
        Action<int>? layerFinished = null, ReadOnlySpan<float> boxes = default)
    {
        var logits = model.Forward(images, new ForwardContext { Training = true, Seed = seed, Step = step, SampleIndices = sampleIndices });
        // Timed while profiling: on a device that means waiting for the work before and after it (never in training).
        bool profiling = model.Network.Profiler is not null;
        if (profiling) model.Network.Backend.Synchronize();
        long start = Stopwatch.GetTimestamp();
        if (_boxLoss is null) _loss.Compute(logits, labels, share, totals);
        else _boxLoss.Compute(logits, labels, boxes, share, totals);
        if (profiling) model.Network.Backend.Synchronize();
        _lossTicks += Stopwatch.GetTimestamp() - start;
        model.Network.Backward(_boxLoss?.Gradient ?? _loss.Gradient, layerFinished);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _loss.Dispose();
        _boxLoss?.Dispose();
    }
}
