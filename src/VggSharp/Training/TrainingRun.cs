using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using VggSharp.Data;
using VggSharp.Data.Transforms;
using VggSharp.Distributed;
using VggSharp.Evaluation;
using VggSharp.Interop;
using VggSharp.Models;
using VggSharp.Tensors;

namespace VggSharp.Training;

/// <summary>
/// One run's state and loop: steps, validation, schedule, metrics, report and checkpoints.
/// <para>
/// A step's batch is processed in passes of at most <see cref="TrainingOptions.MicroBatchSize"/> samples, grouped by
/// their place in the batch (not by which images decoded), each pass's loss gradient weighted by its share of the
/// batch. In a data-parallel job (a <see cref="DataParallelReplica"/>), the batch is dealt out to the N ranks in pieces
/// (<see cref="BatchShard"/>): pass j of the whole job is the batch's j-th slice of N pieces, which the ranks process
/// together, their batch norms normalising with the slice's statistics, and the weighted gradients are summed across
/// ranks. So N ranks with micro-batches of m compute what one process computes with micro-batches of N·m (without
/// micro-batches: the whole batch at once), up to float rounding. Every rank keeps an identical copy of the state;
/// only rank 0 writes files.
/// </para>
/// </summary>
internal sealed class TrainingRun : IDisposable
{
    private readonly TrainingOptions _options;
    private readonly ChannelStatistics _statistics;
    private readonly VggModel _model;
    private readonly SgdOptimizer _optimizer;
    private readonly LearningRateSchedule _schedule;
    private readonly ProgressReporter _progress;
    private readonly DataLoader _trainLoader;
    private readonly EvaluationOptions _validationOptions;
    private readonly TrainingPass _pass;
    private readonly MetricsLog? _metrics;
    private readonly IReadOnlyList<string> _classNames;
    private readonly Dictionary<int, long[]> _sampleIndexBuffers = [];
    private readonly DataParallelReplica? _replica;
    private readonly IImageDataset _validationPart;
    private readonly int _pieceSize, _ranks;
    private double[] _localPassCounts = [], _passCounts = [];
    private TrainingPosition _position;
    private EpochProgress _epoch;
    private ConfusionMatrix? _lastConfusion;
    private (double Top1, double Top5) _lastValidation = (double.NaN, double.NaN);
    private long _lastCheckpointTimestamp = Stopwatch.GetTimestamp();

    public TrainingRun(TrainingOptions options, IImageDataset train, IImageDataset validation, ChannelStatistics statistics, VggModel model,
        SgdOptimizer optimizer, LearningRateSchedule schedule, TrainingPosition position, EpochProgress epoch, ProgressReporter progress,
        DataParallelReplica? replica = null)
    {
        (_options, _statistics, _model, _optimizer, _schedule, _position, _epoch, _progress, _replica) =
            (options, statistics, model, optimizer, schedule, position, epoch, progress, replica);
        _ranks = replica?.Communicator.Size ?? 1;
        // A rank's piece of each pass: its micro-batch, at most its share of the whole batch.
        _pieceSize = Math.Min(options.MicroBatchSize ?? int.MaxValue, (options.BatchSize + _ranks - 1) / _ranks);
        _classNames = train.ClassNames;
        var preprocessing = model.Options.EffectivePreprocessing;
        var augmentation = new TrainingTransform(new TrainingTransformOptions
        {
            CropSize = options.InputSize, MinScale = options.ScaleMin, MaxScale = options.ScaleMax, RandomFlip = options.Flip,
            ColourShiftSigma = options.ColourShift, Statistics = statistics, Channels = model.Options.InputChannels, Preprocessing = preprocessing,
        });
        _trainLoader = new DataLoader(train, augmentation, new DataLoaderOptions
        {
            BatchSize = options.BatchSize, Seed = options.Seed, Workers = options.LoaderWorkers, Limit = options.Limit,
            Shard = replica is null ? null : new BatchShard(replica.Communicator.Rank, _ranks, _pieceSize),
        });
        // Each rank validates an interleaved share of the validation images; the counts are added up.
        int validationCount = Math.Min(validation.Count, options.ValidationLimit ?? int.MaxValue);
        _validationPart = replica is null ? validation : new DatasetShard(validation, validationCount, replica.Communicator.Rank, _ranks);
        // Validation during training is the single-scale protocol at Q = S, or the middle of the jittering range; the
        // training pass size keeps the layers' buffers from being reallocated between training and validation.
        _validationOptions = new EvaluationOptions
        {
            Protocol = EvaluationProtocol.Center, Scales = [(options.ScaleMin + options.ScaleMax) / 2], BatchSize = _pieceSize,
            Limit = replica is null ? options.ValidationLimit : null, MaxDegreeOfParallelism = options.LoaderWorkers,
        };
        _pass = new TrainingPass(model);
        _metrics = IsLeader ? new MetricsLog(options.OutputDirectory) : null;
    }

    /// <summary>Whether this process writes the run directory: a single process, or rank 0 of a job.</summary>
    private bool IsLeader => _replica is null || _replica.Communicator.Rank == 0;

    /// <summary>
    /// In a job, stopping is decided together at the end of a step, so the loader and validation are never cut short
    /// on one rank alone; a single process stops them at once.
    /// </summary>
    private CancellationToken LocalCancellation(CancellationToken cancellation) => _replica is null ? cancellation : CancellationToken.None;

    public TrainingResult Execute(CancellationToken cancellation)
    {
        string stop = "epoch limit";
        try
        {
            while (!_schedule.ShouldStop && _position.Epoch < _options.Epochs)
            {
                var (communicationBefore, batchNormBefore) = (_replica?.Communicator.CommunicationSeconds ?? 0, _replica?.BatchNormSeconds ?? 0);
                int steps = RunEpoch(cancellation);
                double communication = (_replica?.Communicator.CommunicationSeconds ?? 0) - communicationBefore;
                double batchNorm = (_replica?.BatchNormSeconds ?? 0) - batchNormBefore;
                var (top1, top5) = Validate(cancellation);
                double learningRate = _schedule.LearningRate;
                var decision = _schedule.Observe(1 - top1);
                var metrics = new EpochMetrics
                {
                    Epoch = _position.Epoch + 1, TrainLoss = _epoch.LossSum / Math.Max(1, _epoch.Images),
                    TrainTop1Error = 1 - (double)_epoch.Correct / Math.Max(1, _epoch.Images), ValTop1Error = top1, ValTop5Error = top5,
                    LearningRate = learningRate, ImagesPerSecond = _epoch.Images / Math.Max(1e-9, _epoch.Seconds), Seconds = _epoch.Seconds,
                    SkippedImages = _epoch.Skipped, Ranks = _replica?.Communicator.Size,
                    CommunicationSecondsPerStep = _replica is null ? null : communication / Math.Max(1, steps),
                    BatchNormSecondsPerStep = _replica is null ? null : batchNorm / Math.Max(1, steps),
                };
                _metrics?.Append(metrics);
                _progress.EndEpoch(metrics);
                if (decision == ScheduleDecision.Reduced) _progress.Message($"Validation accuracy stopped improving: learning rate now {_schedule.LearningRate:G3}.");
                if (decision == ScheduleDecision.Annealed)
                    _progress.Message($"The last {_schedule.Options.AnnealEpochs} epochs run at a lower rate: learning rate now {_schedule.LearningRate:G3}.");
                _position = _position with { Epoch = _position.Epoch + 1, StepInEpoch = 0 };
                _epoch = EpochProgress.Empty;
                KeepReplicasIdentical();
                SaveCheckpoint();
                WriteReport("training");
            }
            if (_schedule.State.Stop == ScheduleStop.Plateau) stop = "validation accuracy stopped improving after the last learning-rate reduction";
        }
        catch (OperationCanceledException)
        {
            SaveCheckpoint();
            WriteReport($"stopped at epoch {_position.Epoch + 1}, step {_position.StepInEpoch}; resume with --resume");
            throw;
        }
        catch (TrainingDivergedException e)
        {
            WriteReport("diverged: " + e.Message);
            throw;
        }

        string modelPath = Path.Combine(_options.OutputDirectory, Trainer.ModelFileName);
        if (IsLeader) VggModelFile.Save(_model, modelPath, new Dictionary<string, string> { [Trainer.StatisticsKey] = JsonSerializer.Serialize(_statistics, PersistedJson.Default.ChannelStatistics) }, _classNames);
        var last = _metrics?.Read().LastOrDefault();
        WriteReport($"finished: {stop}");
        return new TrainingResult(_options.OutputDirectory, modelPath, Path.Combine(_options.OutputDirectory, TrainingReport.FileName),
            _position.Epoch, last?.ValTop1Error ?? _lastValidation.Top1, last?.ValTop5Error ?? _lastValidation.Top5, stop);
    }

    /// <summary>Trains the rest of the current epoch; returns the steps taken.</summary>
    private int RunEpoch(CancellationToken cancellation)
    {
        int epochIndex = _position.Epoch, steps = 0;
        _progress.BeginEpoch(epochIndex + 1, _options.Epochs, _trainLoader.BatchesPerEpoch, _position.StepInEpoch);
        float learningRate = (float)_schedule.LearningRate;
        var clock = Stopwatch.StartNew();
        double secondsBefore = _epoch.Seconds;
        long skipped = 0;
        foreach (var batch in _trainLoader.Epoch(epochIndex, _position.StepInEpoch, bad =>
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
            if (Stopwatch.GetElapsedTime(_lastCheckpointTimestamp).TotalSeconds >= _options.CheckpointSeconds) SaveCheckpoint();
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
        // the batch is split; pass j covers places [j·N·m, (j+1)·N·m) of the batch, N ranks of m samples each.
        int group = _pieceSize * _ranks, batchStart = batch.Number * _options.BatchSize;
        int passes = (Math.Min(_options.BatchSize, _trainLoader.SampleCount - batchStart) + group - 1) / group;
        if (_passCounts.Length != passes) (_localPassCounts, _passCounts) = (new double[passes], new double[passes]);
        Array.Clear(_localPassCounts);
        long epochStart = (long)_position.Epoch * _trainLoader.SampleCount;
        for (int i = 0; i < batch.Count; i++) _localPassCounts[(int)(batch.SampleIndices[i] - epochStart - batchStart) / group]++;
        _localPassCounts.CopyTo(_passCounts, 0);
        _replica?.Communicator.Sum(_passCounts, "the step's sample counts");
        int images = (int)_passCounts.Sum(), lastPass = Array.FindLastIndex(_passCounts, c => c > 0);

        double lossSum = 0;
        int correct = 0;
        for (int pass = 0, start = 0; pass <= lastPass; pass++)
        {
            int count = (int)_localPassCounts[pass];
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

    private (double Top1, double Top5) Validate(CancellationToken cancellation)
    {
        var result = Evaluator.Evaluate([_model], _validationPart, _validationOptions, cancellation: LocalCancellation(cancellation));
        foreach (var bad in result.BadImages) _progress.Message($"skipped {bad.Source}: {bad.Reason}");
        var (top1, top5, confusion) = _replica?.Combine(result) ?? (result.Top1Error, result.Top5Error, result.Confusion);
        _lastConfusion = confusion;
        _lastValidation = (top1, top5);
        return (top1, top5);
    }

    /// <summary>
    /// Checks, once an epoch, that every rank's state still has rank 0's bits (the same sums and updates keep it so; a
    /// machine whose arithmetic differs would not), and copies rank 0's to all if not, so rank 0's checkpoint is the job's.
    /// </summary>
    private void KeepReplicasIdentical()
    {
        if (_replica is null) return;
        var state = _model.State().Concat(_optimizer.State()).ToList();
        if (_replica.Communicator.StateAgrees(state)) return;
        _replica.Communicator.BroadcastState(state);
        _progress.Message("warning: the ranks' weights had drifted apart (machines with different arithmetic?); rank 0's were copied to all.");
    }

    private void SaveCheckpoint()
    {
        if (!IsLeader) return;
        Checkpoint.Save(_options.OutputDirectory, _model, _optimizer, _schedule.State, _position, _options.Seed, new Dictionary<string, string>
        {
            [Trainer.OptionsKey] = JsonSerializer.Serialize(_options, PersistedJson.Default.TrainingOptions),
            [Trainer.StatisticsKey] = JsonSerializer.Serialize(_statistics, PersistedJson.Default.ChannelStatistics),
            [Trainer.ProgressKey] = JsonSerializer.Serialize(_epoch, PersistedJson.Default.EpochProgress),
            [Trainer.ClassNamesKey] = JsonSerializer.Serialize(_classNames, PersistedJson.Default.IReadOnlyListString),
        });
        _lastCheckpointTimestamp = Stopwatch.GetTimestamp();
    }

    private void WriteReport(string status)
    {
        if (_metrics is null) return;
        // Floats print from their own shortest form, not widened to double (0.9, not 0.8999999761581421).
        string Invariant(double v) => v.ToString("G", CultureInfo.InvariantCulture);
        string Single(float v) => v.ToString(CultureInfo.InvariantCulture);
        TrainingReport.Write(_options.OutputDirectory, new TrainingReportContent
        {
            Status = status,
            Configuration =
            [
                new("configuration", _model.Configuration.Name), new("width", Invariant(_options.Width)), new("head", _options.Head.ToString()),
                new("input", $"{_model.Options.InputChannels}x{_options.InputSize}x{_options.InputSize}"), new("classes", _classNames.Count.ToString(CultureInfo.InvariantCulture)),
                new("parameters", _model.ParameterCount.ToString("N0", CultureInfo.InvariantCulture)), new("data", _options.Data),
            ],
            Options =
            [
                new("batch", _options.BatchSize.ToString(CultureInfo.InvariantCulture)), new("learning rate", Invariant(_options.LearningRate)),
                new("momentum", Single(_options.Momentum)), new("weight decay", Single(_options.WeightDecay)), new("dropout", Single(_options.Dropout)),
                new("scale S", _options.ScaleMin == _options.ScaleMax ? $"{_options.ScaleMin}" : $"[{_options.ScaleMin}, {_options.ScaleMax}]"),
                new("init", _options.InitFrom ?? _options.Init.ToString()), new("seed", _options.Seed.ToString(CultureInfo.InvariantCulture)),
                new("epochs", _options.Epochs.ToString(CultureInfo.InvariantCulture)),
                .. _replica is null ? [] : new KeyValuePair<string, string>[] { new("processes", _ranks.ToString(CultureInfo.InvariantCulture)) },
            ],
            Epochs = _metrics.Read(),
            Confusion = _lastConfusion,
        });
    }

    public void Dispose()
    {
        _trainLoader.Dispose();
        _pass.Dispose();
        _optimizer.Dispose();
        _model.Dispose();
    }
}
