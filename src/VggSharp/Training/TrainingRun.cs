using System.Diagnostics;
using VggSharp.Data;
using VggSharp.Data.Transforms;
using VggSharp.Distributed;
using VggSharp.Evaluation;
using VggSharp.Interop;
using VggSharp.Models;
using VggSharp.Localisation;

namespace VggSharp.Training;

/// <summary>
/// One run's epochs: the steps (<see cref="StepLoop"/>), then validation, the learning-rate schedule, the epoch's
/// figures (<see cref="RunReporter"/>) and a checkpoint (<see cref="Checkpoint"/>), until the schedule or the epoch limit
/// stops it; then the final model. In a data-parallel job every rank keeps an identical copy of the state; only rank
/// 0 writes files.
/// </summary>
internal sealed class TrainingRun : IDisposable
{
    private readonly Checkpoint _state;
    private readonly TrainingOptions _options;
    private readonly LearningRateSchedule _schedule;
    private readonly RunReporter _progress;
    private readonly StepLoop _loop;
    private readonly EvaluationOptions _validationOptions;
    private readonly DataParallelReplica? _replica;
    private readonly IImageDataset _validationPart;
    private ConfusionMatrix? _lastConfusion;
    private (double Top1, double Top5) _lastValidation = (double.NaN, double.NaN);
    private long _lastCheckpointTimestamp = Stopwatch.GetTimestamp();

    /// <summary>A run from <paramref name="state"/>, whose model and optimizer it trains (and leaves to the caller to dispose).</summary>
    public TrainingRun(Checkpoint state, IImageDataset train, IImageDataset validation, IProgress<TrainingProgress>? progress, DataParallelReplica? replica = null)
    {
        (_state, _options, _replica) = (state, state.Options, replica);
        int ranks = replica?.Communicator.Size ?? 1;
        var model = state.Model;
        _schedule = new LearningRateSchedule(_options.Schedule, state.Schedule);
        _progress = new RunReporter(_options, progress, IsLeader, model, state.ClassNames.Count, replica?.Communicator.Size);
        // A rank's piece of each pass: its micro-batch, at most its share of the whole batch.
        int batchSize = _options.Loader.BatchSize, pieceSize = Math.Min(_options.Loader.MicroBatchSize ?? int.MaxValue, (batchSize + ranks - 1) / ranks);
        BatchMemory.Check(model, pieceSize, training: true);
        var augmentation = new TrainingTransform(new TrainingTransformOptions
        {
            CropSize = model.Options.InputSize, Augmentation = _options.Augmentation, Statistics = _options.Statistics,
            Channels = model.Options.InputChannels, Preprocessing = model.Options.EffectivePreprocessing,
        });
        var localisation = _options.Localisation;
        if (localisation?.FullyConnectedOnly == true) state.Optimizer.LearnOnly(LocalisationModel.IsFullyConnected);
        var loader = new DataLoader(train, augmentation, _options.Loader with
        {
            Seed = _options.Seed, Shard = replica is null ? null : new BatchShard(replica.Communicator.Rank, ranks, pieceSize),
        }, localisation is null ? null : new BoxTargets(LocalisationModel.RequireAnnotated(train, "training"), augmentation));
        _loop = new StepLoop(_options, model, state.Optimizer, _schedule, loader, _progress, replica, state.Position, state.Progress, CheckpointDue, SaveCheckpoint);
        // Each rank validates an interleaved share of the validation images; the counts are added up.
        int validationCount = Math.Min(validation.Count, _options.ValidationLimit ?? int.MaxValue);
        _validationPart = replica is null ? validation : new DatasetShard(validation, validationCount, replica.Communicator.Rank, ranks);
        // Validation during training is the single-scale protocol at Q = S, or the middle of the jittering range; the
        // training pass size keeps the layers' buffers from being reallocated between training and validation.
        _validationOptions = new EvaluationOptions
        {
            Protocol = EvaluationProtocol.Center, Scales = [(_options.Augmentation.MinScale + _options.Augmentation.MaxScale) / 2], BatchSize = pieceSize,
            Limit = replica is null ? _options.ValidationLimit : null, MaxDegreeOfParallelism = _options.Loader.Workers,
        };
    }

    /// <summary>Whether this process writes the run directory: a single process, or rank 0 of a job.</summary>
    private bool IsLeader => _replica is null || _replica.Communicator.Rank == 0;

    public TrainingResult Execute(CancellationToken cancellation)
    {
        string stop = "epoch limit";
        try
        {
            while (!_schedule.ShouldStop && _loop.Position.Epoch < _options.Epochs)
            {
                var (communicationBefore, batchNormBefore) = (_replica?.Communicator.CommunicationSeconds ?? 0, _replica?.BatchNormSeconds ?? 0);
                double loaderWaitBefore = _loop.LoaderWaitSeconds;
                int steps = _loop.RunEpoch(cancellation);
                double loaderWait = _loop.LoaderWaitSeconds - loaderWaitBefore;
                double communication = (_replica?.Communicator.CommunicationSeconds ?? 0) - communicationBefore;
                double batchNorm = (_replica?.BatchNormSeconds ?? 0) - batchNormBefore;
                var (top1, top5, validationSeconds) = Validate(cancellation);
                double learningRate = _schedule.LearningRate;
                var decision = _schedule.Observe(1 - top1);
                var epoch = _loop.Epoch;
                var metrics = new EpochMetrics
                {
                    Epoch = _loop.Position.Epoch + 1, TrainLoss = epoch.LossSum / Math.Max(1, epoch.Images),
                    TrainTop1Error = 1 - (double)epoch.Correct / Math.Max(1, epoch.Images), ValTop1Error = top1, ValTop5Error = top5,
                    LearningRate = learningRate, ImagesPerSecond = epoch.Images / Math.Max(1e-9, epoch.Seconds), Seconds = epoch.Seconds,
                    LoaderWaitSeconds = loaderWait, ValidationSeconds = validationSeconds,
                    SkippedImages = epoch.Skipped, Ranks = _replica?.Communicator.Size,
                    CommunicationSecondsPerStep = _replica is null ? null : communication / Math.Max(1, steps),
                    BatchNormSecondsPerStep = _replica is null ? null : batchNorm / Math.Max(1, steps),
                };
                _progress.EndEpoch(metrics);
                if (decision == ScheduleDecision.Reduced) _progress.Message($"Validation accuracy stopped improving: learning rate now {_schedule.LearningRate:G3}.");
                if (decision == ScheduleDecision.Annealed)
                    _progress.Message($"The last {_schedule.Options.AnnealEpochs} epochs run at a lower rate: learning rate now {_schedule.LearningRate:G3}.");
                _loop.NextEpoch();
                KeepReplicasIdentical();
                SaveCheckpoint();
                _progress.WriteReport("training", _lastConfusion);
            }
            if (_schedule.State.Stop == ScheduleStop.Plateau) stop = "validation accuracy stopped improving after the last learning-rate reduction";
        }
        catch (OperationCanceledException)
        {
            SaveCheckpoint();
            _progress.WriteReport($"stopped at epoch {_loop.Position.Epoch + 1}, step {_loop.Position.StepInEpoch}; resume with --resume", _lastConfusion);
            throw;
        }
        catch (TrainingDivergedException e)
        {
            _progress.WriteReport("diverged: " + e.Message, _lastConfusion);
            throw;
        }

        string modelPath = Path.Combine(_options.OutputDirectory, Trainer.ModelFileName);
        if (IsLeader)
        {
            var metadata = new Dictionary<string, string> { [Checkpoint.ModelStatisticsKey] = Checkpoint.StatisticsJson(_options.Statistics!) };
            // A box head's outputs are not classes: a localisation model names its classes under its own key.
            if (_options.Localisation is { } localisation) LocalisationModel.AddMetadata(metadata, localisation, _state.ClassNames);
            VggModelFile.Save(_state.Model, modelPath, metadata, _options.Localisation is null ? _state.ClassNames : null);
        }
        var last = _progress.Epochs.LastOrDefault();
        _progress.WriteReport($"finished: {stop}", _lastConfusion);
        return new TrainingResult(_options.OutputDirectory, modelPath, Path.Combine(_options.OutputDirectory, TrainingReport.FileName),
            _loop.Position.Epoch, last?.ValTop1Error ?? _lastValidation.Top1, last?.ValTop5Error ?? _lastValidation.Top5, stop);
    }

    private (double Top1, double Top5, double Seconds) Validate(CancellationToken cancellation)
    {
        if (_options.Localisation is not null) return ValidateLocalisation(cancellation);
        var result = Evaluator.Evaluate([_state.Model], _validationPart, _validationOptions, cancellation: _loop.LocalCancellation(cancellation));
        foreach (var bad in result.BadImages) _progress.Message($"skipped {bad.Source}: {bad.Reason}");
        var (top1, top5, confusion) = _replica?.Combine(result) ?? (result.Top1Error, result.Top5Error, result.Confusion);
        _lastConfusion = confusion;
        _lastValidation = (top1, top5);
        return (top1, top5, result.Seconds);
    }

    /// <summary>
    /// A localisation run's validation: the box error with the ground-truth class on the centre crop at the validation
    /// scale (the paper's comparison of its variants), reported as both the top-1 and the top-5 error.
    /// </summary>
    private (double Top1, double Top5, double Seconds) ValidateLocalisation(CancellationToken cancellation)
    {
        var result = LocalisationEvaluator.Evaluate(_state.Model, classifier: null, (LocalisationDataset)_validationPart, new LocalisationEvaluationOptions
        {
            Protocol = LocalisationProtocol.Centre, Scales = _validationOptions.Scales, Limit = _options.ValidationLimit,
            MaxDegreeOfParallelism = _validationOptions.MaxDegreeOfParallelism,
        }, cancellation: cancellation);
        foreach (var bad in result.BadImages) _progress.Message($"skipped {bad.Source}: {bad.Reason}");
        _lastValidation = (result.GroundTruthClassError, result.GroundTruthClassError);
        return (result.GroundTruthClassError, result.GroundTruthClassError, result.Seconds);
    }

    /// <summary>
    /// Checks, once an epoch, that every rank's state still has rank 0's bits (the same sums and updates keep it so; a
    /// machine whose arithmetic differs would not), and copies rank 0's to all if not, so rank 0's checkpoint is the job's.
    /// </summary>
    private void KeepReplicasIdentical()
    {
        if (_replica is null) return;
        var state = _state.Model.State().Concat(_state.Optimizer.State()).ToList();
        if (_replica.Communicator.StateAgrees(state)) return;
        _replica.Communicator.BroadcastState(state);
        _progress.Message("warning: the ranks' weights had drifted apart (machines with different arithmetic?); rank 0's were copied to all.");
    }

    /// <summary>Whether this process wants a checkpoint within the epoch (rank 0 alone writes one; the ranks decide together).</summary>
    private bool CheckpointDue() => IsLeader && Stopwatch.GetElapsedTime(_lastCheckpointTimestamp).TotalSeconds >= _options.CheckpointSeconds;

    private void SaveCheckpoint()
    {
        if (!IsLeader) return;
        (_state with { Schedule = _schedule.State, Position = _loop.Position, Progress = _loop.Epoch }).Save(_options.OutputDirectory);
        _lastCheckpointTimestamp = Stopwatch.GetTimestamp();
    }

    public void Dispose() => _loop.Dispose();
}
