using System.Diagnostics;
using VggSharp.Evaluation;
using VggSharp.Layers;

namespace VggSharp.Distributed;

/// <summary>
/// One process's replica of a network in a synchronous data-parallel job. It synchronises the network's batch norms
/// across the ranks (each normalises with the whole global batch's statistics), sums the gradients in buckets that
/// start while backward runs (<see cref="LayerFinished"/>, then <see cref="FinishGradients"/>), and takes part in the
/// collective operations of a pass in which this rank has no samples (<see cref="PassWithoutSamples"/>). Disposing it
/// detaches the batch norms again.
/// </summary>
public sealed class DataParallelReplica : IDisposable
{
    private readonly BatchNorm2d[] _batchNorms;
    private readonly GradientReducer _reducer;
    private readonly BatchStatistics _statistics;

    /// <summary>Attaches to <paramref name="network"/>; every rank must do so with the same network.</summary>
    public DataParallelReplica(Sequential network, ICommunicator communicator, int bucketBytes = GradientReducer.DefaultBucketBytes)
    {
        Communicator = communicator;
        _reducer = new GradientReducer(network, communicator, bucketBytes);
        _batchNorms = [.. network.Layers.OfType<BatchNorm2d>()];
        _statistics = new BatchStatistics(communicator);
        foreach (var batchNorm in _batchNorms) batchNorm.Reduction = _statistics;
        LayerFinished = _reducer.LayerFinished;
    }

    /// <summary>The job's ranks.</summary>
    public ICommunicator Communicator { get; }

    /// <summary>The hook for <see cref="Sequential.Backward"/> in the last pass of a step: starts each bucket's sum as soon as its gradients are complete.</summary>
    public Action<int> LayerFinished { get; }

    /// <summary>
    /// The seconds spent summing batch-norm statistics, part of <see cref="ICommunicator.CommunicationSeconds"/>: each
    /// sum waits for every rank to reach that layer, so it also measures how unevenly the ranks progress.
    /// </summary>
    public double BatchNormSeconds => (double)_statistics.Ticks / Stopwatch.Frequency;

    /// <summary>
    /// This rank's part in a pass in which it has no samples: the batch norms' reductions (forward, then backward), and
    /// in the step's last pass the start of every gradient sum, since this rank's gradients are already complete.
    /// </summary>
    public void PassWithoutSamples(bool lastPass)
    {
        foreach (var batchNorm in _batchNorms) batchNorm.ForwardWithoutSamples();
        for (int i = _batchNorms.Length - 1; i >= 0; i--) _batchNorms[i].BackwardWithoutSamples();
        if (lastPass) _reducer.StartAll();
    }

    /// <summary>Waits for every gradient sum: each parameter's gradient is then the sum over all ranks.</summary>
    public void FinishGradients() => _reducer.Finish();

    /// <summary>The evaluation of the whole validation set from each rank's evaluation of its share.</summary>
    public (double Top1Error, double Top5Error, ConfusionMatrix Confusion) Combine(EvaluationResult local)
    {
        int classes = local.Confusion.Classes;
        var sums = new double[classes * classes + 1];
        for (int actual = 0; actual < classes; actual++)
        for (int predicted = 0; predicted < classes; predicted++)
            sums[actual * classes + predicted] = local.Confusion[actual, predicted];
        sums[^1] = Math.Round(local.Top5Error * local.Count);
        Communicator.Sum(sums, "combining the validation results");
        var confusion = new ConfusionMatrix(local.Confusion.ClassNames);
        for (int actual = 0; actual < classes; actual++)
        for (int predicted = 0; predicted < classes; predicted++)
            for (long n = (long)sums[actual * classes + predicted]; n > 0; n--) confusion.Add(actual, predicted);
        return (confusion.Top1Error, confusion.Total == 0 ? 0 : sums[^1] / confusion.Total, confusion);
    }

    /// <summary>Detaches the batch norms and frees the gradient buckets.</summary>
    public void Dispose()
    {
        foreach (var batchNorm in _batchNorms) batchNorm.Reduction = null;
        _reducer.Dispose();
    }

    private sealed class BatchStatistics(ICommunicator communicator) : IStatisticsReduction
    {
        public long Ticks { get; private set; }

        public void Sum(Span<double> values)
        {
            long start = Stopwatch.GetTimestamp();
            communicator.Sum(values, "the batch-norm statistics");
            Ticks += Stopwatch.GetTimestamp() - start;
        }
    }
}
