using System.Diagnostics;
using VggSharp.Data;
using VggSharp.Distributed;
using VggSharp.Kernels;
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
    RunReporter progress, DataParallelReplica? replica, TrainingPosition position, EpochProgress epoch, Func<bool> checkpointDue, Action saveCheckpoint)
    : IDisposable
{
    /// <summary>
    /// Steps whose losses wait on the device before they are read back, together (a read waits for the device): the
    /// progress line's figures and the divergence check come at most this many steps late. Reads come also before a
    /// checkpoint, at a stop and at the end of an epoch, so what is saved and reported is always complete.
    /// </summary>
    private const int ReadbackSteps = 10;

    private readonly TrainingOptions _options = options;
    private readonly VggModel _model = model;
    private readonly SgdOptimizer _optimizer = optimizer;
    private readonly LearningRateSchedule _schedule = schedule;
    private readonly DataLoader _loader = loader;
    private readonly RunReporter _progress = progress;
    private readonly DataParallelReplica? _replica = replica;
    private readonly Func<bool> _checkpointDue = checkpointDue;
    private readonly Action _saveCheckpoint = saveCheckpoint;
    private readonly TrainingPass _pass = new(model, options.Localisation);
    /// <summary>Per pending step, on the model's device: its loss sum and correct count ([ReadbackSteps, 2]), one row view each.</summary>
    private readonly Tensor _stepTotals = model.Network.Backend.Allocate(new TensorShape(ReadbackSteps, 2));
    private readonly float[] _readback = new float[2 * ReadbackSteps];
    private readonly double[] _pendingSums = new double[2 * ReadbackSteps];
    private readonly (int Number, int Images)[] _pendingSteps = new (int, int)[ReadbackSteps];
    private Tensor[]? _stepTotalRows;
    private int _pendingCount;
    private Tensor? _deviceImages;
    private readonly Dictionary<int, long[]> _sampleIndexBuffers = [];
    private double[] _passCounts = [];
    private TrainingPosition _position = position;
    private EpochProgress _epoch = epoch;

    /// <summary>Where training is: the next step to take.</summary>
    public TrainingPosition Position => _position;

    /// <summary>The running sums of the epoch in progress.</summary>
    public EpochProgress Epoch => _epoch;

    /// <summary>The seconds the steps have waited for the loader's batches, over all epochs of this process so far.</summary>
    public double LoaderWaitSeconds => _loader.WaitSeconds;

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
        _stepTotalRows ??= [.. Enumerable.Range(0, ReadbackSteps).Select(i => _stepTotals.Items(i, 1).Reshaped(new TensorShape(2)))];
        try
        {
            foreach (var batch in _loader.Epoch(epochIndex, _position.StepInEpoch, bad =>
                     {
                         Interlocked.Increment(ref skipped);
                         _progress.Message($"skipped {bad.Source}: {bad.Reason}");
                     }, LocalCancellation(cancellation)))
            {
                int images = Step(batch, _stepTotalRows[_pendingCount]);
                // Whether any rank was asked to stop or wants a checkpoint: every rank then reads its losses back and
                // stops or saves after this step, together.
                Span<double> flags = [Interlocked.Exchange(ref skipped, 0), cancellation.IsCancellationRequested ? 1 : 0, _checkpointDue() ? 1 : 0];
                _replica?.Communicator.Sum(flags, "the step's results");
                _epoch = _epoch with { Skipped = _epoch.Skipped + (long)flags[0] };
                (bool stopRequested, bool checkpointDue) = (flags[1] > 0, flags[2] > 0);
                if (images > 0)
                {
                    _optimizer.Step(learningRate);
                    steps++;
                    _position = _position with { GlobalStep = _position.GlobalStep + 1, SamplesSeen = _position.SamplesSeen + images };
                    _pendingSteps[_pendingCount++] = (batch.Number, images);
                }
                // A batch none of whose images could be read still counts as done, or a resume would take it again and
                // every later batch one place late.
                _position = _position with { StepInEpoch = batch.Number + 1 };
                if (_pendingCount == ReadbackSteps || stopRequested || checkpointDue) ReadStepTotals(epochIndex, secondsBefore + clock.Elapsed.TotalSeconds);
                // Checkpoints are taken only between steps, so a resumed run repeats nothing and skips nothing.
                if (stopRequested) throw new OperationCanceledException("Training was asked to stop.", cancellation);
                if (checkpointDue) _saveCheckpoint();
            }
        }
        catch (OperationCanceledException)
        {
            ReadStepTotals(epochIndex, secondsBefore + clock.Elapsed.TotalSeconds);
            throw;
        }
        ReadStepTotals(epochIndex, secondsBefore + clock.Elapsed.TotalSeconds);
        _epoch = _epoch with { Skipped = _epoch.Skipped + Interlocked.Exchange(ref skipped, 0) };
        return steps;
    }

    /// <summary>
    /// Reads the pending steps' losses and correct counts back from the device (in a job, summed across ranks), checks
    /// that training has not diverged, and adds them to the epoch's figures and the progress line, step by step.
    /// </summary>
    private void ReadStepTotals(int epochIndex, double seconds)
    {
        if (_pendingCount == 0) return;
        int count = _pendingCount;
        _pendingCount = 0;
        _stepTotals.CopyTo(_readback);
        _stepTotals.Clear();
        var sums = _pendingSums.AsSpan(0, 2 * count);
        for (int i = 0; i < sums.Length; i++) sums[i] = _readback[i];
        _replica?.Communicator.Sum(sums, "the steps' losses");
        for (int k = 0; k < count; k++)
        {
            var (number, images) = _pendingSteps[k];
            double lossSum = sums[2 * k], loss = lossSum / images;
            int correct = (int)sums[2 * k + 1];
            if (!double.IsFinite(loss))
                throw new TrainingDivergedException(
                    $"the loss became {loss} at epoch {epochIndex + 1}, step {number + 1}; {KeptCheckpoint()}. Try a smaller --lr.");
            _epoch = _epoch with
            {
                LossSum = _epoch.LossSum + lossSum, Correct = _epoch.Correct + correct, Images = _epoch.Images + images, Seconds = seconds,
            };
            _progress.Step(images, loss, correct);
        }
    }

    /// <summary>
    /// One optimisation step's gradients, accumulated over the passes of this process's part of the batch and, in a
    /// job, summed across ranks; this process's loss sum and correct count are added to <paramref name="totals"/> [2] on
    /// the model's device. Returns the images of the whole batch (0 when none of them could be used, and then nothing is
    /// to be learnt from it).
    /// </summary>
    private int Step(Batch batch, Tensor totals)
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

        // The loader's batch is host memory; a backend on a device takes a copy there.
        var batchImages = batch.Count == 0 ? null : _model.Network.Backend.OnDevice(batch.Images, ref _deviceImages);
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
            var input = count == batch.Count ? batchImages! : batchImages!.Items(start, count);
            try
            {
                _pass.Run(input, batch.Labels.AsSpan(start, count), totals, _options.Seed, _position.GlobalStep, indices, share: (float)count / images,
                    layerFinished: pass == lastPass ? _replica?.LayerFinished : null, boxes: batch.Targets.AsSpan(start * batch.TargetLength, count * batch.TargetLength));
            }
            finally
            {
                if (!ReferenceEquals(input, batchImages)) input.Dispose();
            }
            start += count;
        }
        _replica?.FinishGradients();
        return images;
    }

    private long[] SampleIndexBuffer(int count)
    {
        if (!_sampleIndexBuffers.TryGetValue(count, out var buffer)) _sampleIndexBuffers[count] = buffer = new long[count];
        return buffer;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _loader.Dispose();
        _pass.Dispose();
        _stepTotals.Dispose();
        _deviceImages?.Dispose();
    }

    /// <summary>What a diverged run leaves to resume from: a checkpoint written before the loss went bad, if any was.</summary>
    private string KeptCheckpoint() => Checkpoint.Exists(_options.OutputDirectory)
        ? $"the last checkpoint, from before, is kept in {_options.OutputDirectory}"
        : "no checkpoint had been written yet, so there is nothing to resume";
}
