using VggSharp.Data;
using VggSharp.Data.Transforms;
using VggSharp.Distributed;
using VggSharp.Interop;
using VggSharp.Localisation;
using VggSharp.Models;

namespace VggSharp.Training;

/// <summary>
/// Trains a VGG network with the paper's recipe (section 3.1) on any <see cref="IImageDataset"/>s and writes a run
/// directory: checkpoint.safetensors (every epoch, every <see cref="TrainingOptions.CheckpointSeconds"/> within one,
/// and on cancellation), metrics.jsonl, report.html and, at the end, model.safetensors. A run stopped by cancellation
/// or killed outright resumes from its checkpoint (<see cref="Checkpoint.Load"/>, then <see cref="Resume"/>) and ends
/// with the same bits as an uninterrupted run.
/// <para>
/// With <see cref="DistributedOptions"/>, the processes of a synchronous data-parallel job train together: rank 0
/// calls <see cref="Train"/> or <see cref="Resume"/> as one process would and sends the settings and the whole state
/// to the others, which call <see cref="Follow"/> and need only the data sets; each rank then computes its part of
/// every batch, and the job ends with the weights one process would reach with the same batch (see
/// <see cref="StepLoop"/>). A failure only one rank sees ends the whole job (<see cref="ICommunicator.Abort"/>).
/// </para>
/// </summary>
public static class Trainer
{
    /// <summary>The final weights' file name in the run directory.</summary>
    public const string ModelFileName = "model.safetensors";

    /// <summary>
    /// Trains <paramref name="model"/> (initialised, or loaded from trained weights) on <paramref name="trainingSet"/>,
    /// validating on <paramref name="validationSet"/> after every epoch, in a new run in
    /// <see cref="TrainingOptions.OutputDirectory"/>. The model ends with the final weights; it stays the caller's.
    /// </summary>
    public static TrainingResult Train(VggModel model, IImageDataset trainingSet, IImageDataset validationSet, TrainingOptions options,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default, DistributedOptions? distributed = null)
    {
        SgdOptimizer? optimizer = null;
        RunDirectoryLock? claim = null;
        Checkpoint state;
        try
        {
            CheckNewRun(options, model.Options);
            // Checked again once the directory is this run's alone: another run may have started there meanwhile.
            claim = RunDirectoryLock.Acquire(options.OutputDirectory);
            CheckNewRun(options, model.Options);
            LocalisationModel.CheckRun(options, trainingSet, validationSet, distributed);
            if (model.Options.Classes != options.OutputsFor(trainingSet.ClassNames.Count))
                throw new ArgumentException(options.Localisation is null
                    ? $"The model has {model.Options.Classes} classes; the training set has {trainingSet.ClassNames.Count}."
                    : $"The model has {model.Options.Classes} outputs; a box head for the training set's {trainingSet.ClassNames.Count} classes has {options.OutputsFor(trainingSet.ClassNames.Count)}.");
            var statistics = options.Statistics ?? ChannelStatistics.Compute(trainingSet, model.Options.InputChannels, maxImages: 20_000,
                bad => progress?.Report(new TrainingProgress.Message($"skipped {bad.Source}: {bad.Reason}")));
            optimizer = new SgdOptimizer(model.Network, options.Optimizer);
            state = new Checkpoint(model, optimizer, options with { Statistics = statistics }, trainingSet.ClassNames,
                LearningRateScheduleState.Initial(options.Schedule), TrainingPosition.Start, EpochProgress.Empty);
        }
        catch (Exception e)
        {
            optimizer?.Dispose();
            claim?.Dispose();
            if (distributed is not null) CancelStart(distributed, e);
            throw;
        }
        try
        {
            return Execute(state, trainingSet, validationSet, progress, cancellation, distributed);
        }
        finally
        {
            optimizer.Dispose();
            claim.Dispose();
        }
    }

    /// <summary>
    /// Continues the run <paramref name="checkpoint"/> was loaded from, with the options it was started with, on the
    /// same data sets. Takes the checkpoint over: its model and optimizer are disposed when the run ends.
    /// </summary>
    public static TrainingResult Resume(Checkpoint checkpoint, IImageDataset trainingSet, IImageDataset validationSet,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default, DistributedOptions? distributed = null)
    {
        using var owned = checkpoint;
        RunDirectoryLock? claim = null;
        try
        {
            claim = RunDirectoryLock.Acquire(checkpoint.Options.OutputDirectory);
            if (checkpoint.Options.OutputsFor(trainingSet.ClassNames.Count) != checkpoint.Model.Options.Classes)
                throw new InvalidOperationException($"The data now has {trainingSet.ClassNames.Count} classes; the run was started with {checkpoint.ClassNames.Count}.");
            LocalisationModel.CheckRun(checkpoint.Options, trainingSet, validationSet, distributed);
            var position = checkpoint.Position;
            new MetricsLog(checkpoint.Options.OutputDirectory).DropAfter(position.Epoch);
            progress?.Report(new TrainingProgress.Message($"Resuming {checkpoint.Options.OutputDirectory} at epoch {position.Epoch + 1}, step {position.StepInEpoch}."));
        }
        catch (Exception e)
        {
            claim?.Dispose();
            if (distributed is not null) CancelStart(distributed, e);
            throw;
        }
        using (claim) return Execute(checkpoint, trainingSet, validationSet, progress, cancellation, distributed);
    }

    /// <summary>
    /// Checks what <see cref="Train"/> checks before it starts: the options, against a model of <paramref name="model"/>,
    /// and that the run directory holds no run yet: no checkpoint, and no model or metrics of a run whose checkpoint is
    /// gone, which a new run would overwrite. A caller that prepares the data and model first checks this before.
    /// </summary>
    public static void CheckNewRun(TrainingOptions options, VggOptions model)
    {
        options.Validate(model);
        string directory = options.OutputDirectory;
        if (Checkpoint.Exists(directory))
            throw new InvalidOperationException($"{directory} already holds a run; resume it with --resume {directory} or choose another --out.");
        if (RunFiles(directory).FirstOrDefault(File.Exists) is { } earlier)
            throw new InvalidOperationException($"{directory} holds {Path.GetFileName(earlier)} of an earlier run but no checkpoint to resume from; choose another --out, or move that file away first.");
    }

    /// <summary>Whether <paramref name="runDirectory"/> holds a run, or what is left of one: a checkpoint, a model or metrics.</summary>
    public static bool HoldsRun(string runDirectory) => Checkpoint.Exists(runDirectory) || RunFiles(runDirectory).Any(File.Exists);

    private static IEnumerable<string> RunFiles(string runDirectory) => [Path.Combine(runDirectory, ModelFileName), Path.Combine(runDirectory, MetricsLog.FileName)];

    /// <summary>
    /// A rank other than 0: takes the run's settings and state from rank 0, opens the data sets with
    /// <paramref name="openData"/> (from those settings), then trains its part.
    /// </summary>
    public static TrainingResult Follow(DistributedOptions distributed, Func<TrainingOptions, (IImageDataset Train, IImageDataset Validation)> openData,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        var communicator = distributed.Communicator;
        var shared = communicator.BroadcastJson(null, PersistedJson.Default.ReplicaSetup, "the run's settings");
        if (shared.Error is not null) throw new InvalidOperationException($"Rank 0 could not start the run: {shared.Error}");
        VggModel? model = null;
        SgdOptimizer? optimizer = null;
        Checkpoint state;
        IImageDataset train, validation;
        try
        {
            var options = shared.Options!;
            (train, validation) = openData(options);
            if (train.Count != shared.TrainImages || validation.Count != shared.ValidationImages || !train.ClassNames.SequenceEqual(shared.ClassNames!))
                throw new InvalidOperationException(
                    $"{options.Source?.Data ?? "The data"} here has {train.Count} training and {validation.Count} validation images in {train.ClassNames.Count} classes; rank 0's has {shared.TrainImages} and {shared.ValidationImages} in {shared.ClassNames!.Count}. Every machine needs the same data set.");
            // Its weights, statistics and momentum are rank 0's, received before the first step.
            model = VggModel.CreateUninitialized(ModelMetadata.ToOptions(shared.Model!, "rank 0's model"));
            optimizer = new SgdOptimizer(model.Network, shared.Optimizer);
            state = new Checkpoint(model, optimizer, options, shared.ClassNames!, shared.Schedule!, shared.Position!, shared.Progress!);
            var entries = Describe(state);
            if (!entries.SequenceEqual(shared.State!))
                throw new InvalidOperationException($"The model built here differs from rank 0's: {entries.Except(shared.State!).FirstOrDefault() ?? "its entries"}.");
        }
        catch (Exception e)
        {
            optimizer?.Dispose();
            model?.Dispose();
            communicator.Abort(e.Message);
            throw;
        }
        using (state) return Execute(state, train, validation, progress, cancellation, distributed);
    }

    /// <summary>
    /// Rank 0 could not prepare the run (its data, model or options were refused): tells the other ranks, waiting in
    /// <see cref="Follow"/>, which then stop with <paramref name="reason"/>'s message.
    /// </summary>
    public static void CancelStart(DistributedOptions distributed, Exception reason) =>
        distributed.Communicator.BroadcastJson(new ReplicaSetup { Error = reason.Message }, PersistedJson.Default.ReplicaSetup, "the run's settings");

    /// <summary>
    /// Trains from <paramref name="state"/>. In a job, rank 0 first sends the settings and all ranks take rank 0's state
    /// (weights, batch-norm statistics, momentum); from then on an error that is not the whole job's (a stop request,
    /// a diverged loss) ends the job at once rather than leaving the other ranks waiting.
    /// </summary>
    private static TrainingResult Execute(Checkpoint state, IImageDataset train, IImageDataset validation, IProgress<TrainingProgress>? progress,
        CancellationToken cancellation, DistributedOptions? distributed)
    {
        DataParallelReplica? replica = null;
        try
        {
            if (distributed is not null)
            {
                var communicator = distributed.Communicator;
                if (communicator.Rank == 0) communicator.BroadcastJson(Describe(state, train, validation), PersistedJson.Default.ReplicaSetup, "the run's settings");
                communicator.BroadcastState(state.Model.State().Concat(state.Optimizer.State()));
                replica = new DataParallelReplica(state.Model.Network, communicator, distributed.BucketBytes);
            }
            using var run = new TrainingRun(state, train, validation, progress, replica);
            return run.Execute(cancellation);
        }
        catch (Exception e) when (distributed is not null && e is not (OperationCanceledException or TrainingDivergedException))
        {
            distributed.Communicator.Abort(e.Message);
            throw;
        }
        finally
        {
            replica?.Dispose();
        }
    }

    private static ReplicaSetup Describe(Checkpoint state, IImageDataset train, IImageDataset validation) => new()
    {
        Options = state.Options, Model = ModelMetadata.From(state.Model.Options), Optimizer = state.Optimizer.Options, Schedule = state.Schedule,
        Position = state.Position, Progress = state.Progress, TrainImages = train.Count, ValidationImages = validation.Count,
        ClassNames = state.ClassNames, State = Describe(state),
    };

    private static List<string> Describe(Checkpoint state) =>
        state.Model.State().Concat(state.Optimizer.State()).Select(e => $"{e.Key} [{string.Join(", ", e.Shape)}]").ToList();
}
