using System.Diagnostics;
using VggSharp.Data;
using VggSharp.Distributed;
using VggSharp.Evaluation;
using VggSharp.Models;
using VggSharp.Tensors;

namespace VggSharp.Training;

/// <summary>
/// The steps of a run: an epoch's batches from the loader, each one optimisation step whose gradients are accumulated
/// over the passes the loader planned (<see cref="Batch.Passes"/>), each pass's loss gradient weighted by its share of
/// the batch, then one SGD update. In a data-parallel job (a <see cref="DataParallelReplica"/>), the batch is dealt out
/// to the N ranks in pieces (<see cref="BatchShard"/>): pass j of the whole job is the batch's j-th slice of N pieces,
/// which the ranks process together, their batch norms normalising with the slice's statistics, and the weighted
/// gradients are summed across ranks. So N ranks with micro-batches of m compute what one process computes with
/// micro-batches of N·m (without micro-batches: the whole batch at once), up to float rounding. Keeps the run's
/// position and the epoch's running sums.
/// </summary>
internal sealed class StepLoop(TrainingOptions options, VggModel model, SgdOptimizer optimizer, LearningRateSchedule schedule, DataLoader loader,
    RunReporter progress, DataParallelReplica? replica, TrainingPosition position, EpochProgress epoch, Action saveCheckpointIfDue) : IDisposable
{
    private readonly TrainingOptions _options = options;
    private readonly VggModel _model = model;
    private readonly SgdOptimizer _optimizer = optimizer;
    private readonly LearningRateSchedule _schedule = schedule;
    private readonly DataLoader _loader = loader;
    private readonly RunReporter _progress = progress;
    private readonly DataParallelReplica? _replica = replica;
    private readonly Action _saveCheckpointIfDue = saveCheckpointIfDue;
    private readonly TrainingPass _pass = new(model);
    private readonly Dictionary<int, long[]> _sampleIndexBuffers = [];
    private double[] _passCounts = [];
    private TrainingPosition _position = position;
    private EpochProgress _epoch = epoch;

    /// <summary>Where training is: the next step to take.</summary>
    public TrainingPosition Position => _position;

    /// <summary>The running sums of the epoch in progress.</summary>
    public EpochProgress Epoch => _epoch;

    /// <summary>Moves on to the next epoch, once this one is done and validated.</summary>
    public void NextEpoch()
    {
        _position = _position with { Epoch = _position.Epoch + 1, StepInEpoch = 0 };
        _epoch = EpochProgress.Empty;
    }

    /// <summary>
    /// In a job, stopping is decided together at the end of a step, so the loader and validation are never cut short
    /// on one rank alone; a single process stops them at once.
    /// </summary>
    public CancellationToken LocalCancellation(CancellationToken cancellation) => _replica is null ? cancellation : CancellationToken.None;

    /// <summary>Trains the rest of the current epoch; returns the steps taken.</summary>
    public int RunEpoch(CancellationToken cancellation)
    {
        int epochIndex = _position.Epoch, steps = 0;
        _progress.BeginEpoch(epochIndex + 1, _options.Epochs, _loader.BatchesPerEpoch, _position.StepInEpoch);
        float learningRate = (float)_schedule.LearningRate;
        var clock = Stopwatch.StartNew();
        double secondsBefore = _epoch.Seconds;
        long skipped = 0;
        foreach (var batch in _loader.Epoch(epochIndex, _position.StepInEpoch, bad =>
                 {
                     Interlocked.Increment(ref skipped);
                     _progress.Message($"skipped {bad.Source}: {bad.Reason}");
                 }, LocalCancellation(cancellation)))
        {
            var (lossSum, correct, images) = Step(batch);
            // The whole job's figures, and whether any rank was asked to stop: every rank then stops after this step.
            Span<double> totals = [lossSum, correct, Interlocked.Exchange(ref skipped, 0), cancellation.IsCancellationRequested ? 1 : 0];
            _replica?.Communicator.Sum(totals, "the step's results");
            (lossSum, correct) = (totals[0], (int)totals[1]);
            bool stopRequested = totals[3] > 0;
            _epoch = _epoch with { Skipped = _epoch.Skipped + (long)totals[2] };
            if (images > 0)
            {
                double loss = lossSum / images;
                if (!double.IsFinite(loss))
                    throw new TrainingDivergedException(
                        $"the loss became {loss} at epoch {epochIndex + 1}, step {batch.Number + 1}; the last good checkpoint is kept in {_options.OutputDirectory}. Try a smaller --lr.");
                _optimizer.Step(learningRate);
                steps++;
                _position = _position with { GlobalStep = _position.GlobalStep + 1, SamplesSeen = _position.SamplesSeen + images };
                _epoch = _epoch with
                {
                    LossSum = _epoch.LossSum + lossSum, Correct = _epoch.Correct + correct, Images = _epoch.Images + images,
                    Seconds = secondsBefore + clock.Elapsed.TotalSeconds,
                };
                _progress.Step(images, loss, correct);
            }
            // A batch none of whose images could be read still counts as done, or a resume would take it again and
            // every later batch one place late.
            _position = _position with { StepInEpoch = batch.Number + 1 };
            // Checkpoints are taken only between steps, so a resumed run repeats nothing and skips nothing.
            if (stopRequested) throw new OperationCanceledException("Training was asked to stop.", cancellation);
            _saveCheckpointIfDue();
        }
        _epoch = _epoch with { Skipped = _epoch.Skipped + Interlocked.Exchange(ref skipped, 0) };
        return steps;
    }

    /// <summary>
    /// One optimisation step's gradients, accumulated over the passes of this process's part of the batch and, in a
    /// job, summed across ranks. Returns this process's loss sum and correct count, and the images of the whole batch
    /// (0 when none of them could be used, and then nothing is to be learnt from it).
    /// </summary>
    private (double LossSum, int Correct, int Images) Step(Batch batch)
    {
        _model.Network.ZeroGradients();
        // Samples are grouped into passes by their place in the batch, so a pass is the same set of samples however
        // the batch is split; pass j covers places [j·N·m, (j+1)·N·m) of the batch, N ranks of m samples each. The
        // loader knows which of this process's samples fall in which pass.
        var plan = batch.Passes;
        if (_passCounts.Length != plan.Count) _passCounts = new double[plan.Count];
        plan.CopyTo(_passCounts);
        _replica?.Communicator.Sum(_passCounts, "the step's sample counts");
        int images = (int)_passCounts.Sum(), lastPass = Array.FindLastIndex(_passCounts, c => c > 0);

        double lossSum = 0;
        int correct = 0;
        for (int pass = 0, start = 0; pass <= lastPass; pass++)
        {
            int count = plan.SamplesIn(pass);
            if (_passCounts[pass] == 0) continue;
            if (count == 0)
            {
                _replica!.PassWithoutSamples(lastPass: pass == lastPass);
                continue;
            }
            var indices = SampleIndexBuffer(count);
            Array.Copy(batch.SampleIndices, start, indices, 0, count);
            var input = count == batch.Count ? batch.Images : batch.Images.Items(start, count);
            try
            {
                var labels = batch.Labels.AsSpan(start, count);
                float loss = _pass.Run(input, labels, _options.Seed, _position.GlobalStep, indices, share: (float)count / images,
                    layerFinished: pass == lastPass ? _replica?.LayerFinished : null);
                lossSum += (double)loss * count;
                correct += CountCorrect(_pass.Probabilities, labels);
            }
            finally
            {
                if (!ReferenceEquals(input, batch.Images)) input.Dispose();
            }
            start += count;
        }
        _replica?.FinishGradients();
        return (lossSum, correct, images);
    }

    private long[] SampleIndexBuffer(int count)
    {
        if (!_sampleIndexBuffers.TryGetValue(count, out var buffer)) _sampleIndexBuffers[count] = buffer = new long[count];
        return buffer;
    }

    private static int CountCorrect(Tensor probabilities, ReadOnlySpan<int> labels)
    {
        int classes = probabilities.Shape[1], correct = 0;
        var p = probabilities.Span;
        for (int n = 0; n < labels.Length; n++)
            if (ScoreRanking.ArgMax(p.Slice(n * classes, classes)) == labels[n]) correct++;
        return correct;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _loader.Dispose();
        _pass.Dispose();
    }
}
