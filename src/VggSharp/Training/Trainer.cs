using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using VggSharp.Data;
using VggSharp.Data.Transforms;
using VggSharp.Distributed;
using VggSharp.Interop;
using VggSharp.Layers;
using VggSharp.Models;

namespace VggSharp.Training;

/// <summary>
/// Trains a VGG network with the paper's recipe (section 3.1) and writes a run directory: checkpoint.safetensors
/// (every epoch, every <see cref="TrainingOptions.CheckpointSeconds"/> within one, and on cancellation),
/// metrics.jsonl, report.html and, at the end, model.safetensors. A run stopped by cancellation or killed outright
/// resumes from its checkpoint with <see cref="Resume"/> and ends with the same bits as an uninterrupted run.
/// <para>
/// With <see cref="DistributedOptions"/>, every process of a synchronous data-parallel job calls the same method.
/// Rank 0 does what a single process does (reads the data's statistics, initialises or loads the weights, writes the
/// run directory) and sends the settings and the whole state to the others, which need only the data set; each rank
/// then computes its part of every batch, and the job ends with the weights one process would reach with the same
/// batch (see <see cref="TrainingRun"/>). A failure only one rank sees ends the whole job (<see cref="ICommunicator.Abort"/>).
/// </para>
/// </summary>
public static class Trainer
{
    /// <summary>The final weights' file name in the run directory.</summary>
    public const string ModelFileName = "model.safetensors";

    /// <summary>Starts a new run in <see cref="TrainingOptions.OutputDirectory"/>, which must not hold a checkpoint already.</summary>
    public static TrainingResult Train(TrainingOptions options, ProgressReporter progress, CancellationToken cancellation = default,
        DistributedOptions? distributed = null)
    {
        if (distributed is { Communicator.Rank: > 0 }) return Follow(distributed, progress, cancellation);
        return Execute(Prepare(() => NewRun(options, progress), distributed), progress, cancellation, distributed);
    }

    /// <summary>Continues the run in <paramref name="runDirectory"/> from its checkpoint, with the options it was started with.</summary>
    public static TrainingResult Resume(string runDirectory, ProgressReporter progress, CancellationToken cancellation = default,
        DistributedOptions? distributed = null)
    {
        if (distributed is { Communicator.Rank: > 0 }) return Follow(distributed, progress, cancellation);
        return Execute(Prepare(() => ResumedRun(runDirectory, progress), distributed), progress, cancellation, distributed);
    }

    internal const string OptionsKey = "options", StatisticsKey = "statistics", ProgressKey = "epoch_progress", ClassNamesKey = "class_names";

    /// <summary>Everything a run starts from; the model and optimizer pass to the <see cref="TrainingRun"/>.</summary>
    private sealed record Setup(TrainingOptions Options, IImageDataset Train, IImageDataset Validation, ChannelStatistics Statistics,
        VggModel Model, SgdOptimizer Optimizer, LearningRateScheduleState Schedule, TrainingPosition Position, EpochProgress Progress);

    private static Setup NewRun(TrainingOptions options, ProgressReporter progress)
    {
        options.Validate();
        if (Checkpoint.Exists(options.OutputDirectory))
            throw new InvalidOperationException($"{options.OutputDirectory} already holds a run; resume it with --resume {options.OutputDirectory} or choose another --out.");
        var (train, validation) = DataSource.Open(options.Data);
        int channels = options.InputChannels ?? (train is IdxDataset ? 1 : 3);
        progress.Message($"Data: {train.Count} training and {validation.Count} validation images, {train.ClassNames.Count} classes.");
        var statistics = ChannelStatistics.Compute(train, channels, maxImages: 20_000, bad => progress.Message($"skipped {bad.Source}: {bad.Reason}"));
        // The file to start from is opened once: what it says of its model decides the preprocessing and how it is used.
        using var init = options.InitFrom is null ? null : WeightsFile.Open(options.InitFrom);
        var source = init is null ? null : WeightsFile.ReadOptions(init);
        var model = VggModel.Create(options.ApplyArchitectureTo(new VggOptions
        {
            Classes = train.ClassNames.Count, InputChannels = channels,
            // The weights taken from another model expect its inputs (torchvision's normalisation, say), not this set's mean.
            Preprocessing = source?.Preprocessing is { } inherited && inherited.Mean.Length == channels ? inherited : statistics.ToMeanSubtraction(),
        }));
        try
        {
            model.Initialize(options.Init, options.Seed);
            if (init is not null) StartFrom(model, init, source!, progress);
            var optimizer = new SgdOptimizer(model.Network, new SgdOptions { Momentum = options.Momentum, WeightDecay = options.WeightDecay });
            Directory.CreateDirectory(options.OutputDirectory);
            new MetricsLog(options.OutputDirectory).DropAfter(0);
            return new Setup(options, train, validation, statistics, model, optimizer, LearningRateScheduleState.Initial(ScheduleOptions(options)),
                TrainingPosition.Start, EpochProgress.Empty);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static Setup ResumedRun(string runDirectory, ProgressReporter progress)
    {
        var checkpoint = Checkpoint.Load(runDirectory);
        try
        {
            var options = Read(checkpoint, OptionsKey, PersistedJson.Default.TrainingOptions, new TrainingOptions()) with { OutputDirectory = runDirectory };
            var statistics = Read(checkpoint, StatisticsKey, PersistedJson.Default.ChannelStatistics);
            var epochProgress = Read(checkpoint, ProgressKey, PersistedJson.Default.EpochProgress);
            var (train, validation) = DataSource.Open(options.Data);
            if (train.ClassNames.Count != checkpoint.Model.Options.Classes)
                throw new InvalidOperationException($"The data now has {train.ClassNames.Count} classes; the run was started with {checkpoint.Model.Options.Classes}.");
            var position = checkpoint.Position;
            new MetricsLog(runDirectory).DropAfter(position.Epoch);
            progress.Message($"Resuming {runDirectory} at epoch {position.Epoch + 1}, step {position.StepInEpoch}.");
            return new Setup(options, train, validation, statistics, checkpoint.Model, checkpoint.Optimizer, checkpoint.Schedule, position, epochProgress);
        }
        catch
        {
            checkpoint.Dispose();
            throw;
        }
    }

    /// <summary>Runs rank 0's (or a single process's) preparation; in a job, a failure is first told to the other ranks, which then stop too.</summary>
    private static Setup Prepare(Func<Setup> prepare, DistributedOptions? distributed)
    {
        try
        {
            return prepare();
        }
        catch (Exception e) when (distributed is not null)
        {
            distributed.Communicator.BroadcastJson(new ReplicaSetup { Error = e.Message }, PersistedJson.Default.ReplicaSetup, "the run's settings");
            throw;
        }
    }

    /// <summary>A rank other than 0: takes the run's settings and state from rank 0, then trains its part.</summary>
    private static TrainingResult Follow(DistributedOptions distributed, ProgressReporter progress, CancellationToken cancellation)
    {
        var communicator = distributed.Communicator;
        var shared = communicator.BroadcastJson(null, PersistedJson.Default.ReplicaSetup, "the run's settings");
        if (shared.Error is not null) throw new InvalidOperationException($"Rank 0 could not start the run: {shared.Error}");
        Setup setup;
        try
        {
            var options = shared.Options!;
            var (train, validation) = DataSource.Open(options.Data);
            if (train.Count != shared.TrainImages || validation.Count != shared.ValidationImages || !train.ClassNames.SequenceEqual(shared.ClassNames!))
                throw new InvalidOperationException(
                    $"{options.Data} here has {train.Count} training and {validation.Count} validation images in {train.ClassNames.Count} classes; rank 0's has {shared.TrainImages} and {shared.ValidationImages} in {shared.ClassNames!.Count}. Every machine needs the same data set.");
            var model = VggModel.Create(ModelMetadata.ToOptions(shared.Model!, "rank 0's model"));
            var optimizer = new SgdOptimizer(model.Network, shared.Optimizer);
            var entries = Describe(model, optimizer);
            if (!entries.SequenceEqual(shared.State!))
                throw new InvalidOperationException($"The model built here differs from rank 0's: {entries.Except(shared.State!).FirstOrDefault() ?? "its entries"}.");
            setup = new Setup(options, train, validation, shared.Statistics!, model, optimizer, shared.Schedule!, shared.Position!, shared.Progress!);
        }
        catch (Exception e)
        {
            communicator.Abort(e.Message);
            throw;
        }
        return Execute(setup, progress, cancellation, distributed);
    }

    /// <summary>
    /// Trains from <paramref name="setup"/>. In a job, rank 0 first sends the settings and all ranks take rank 0's state
    /// (weights, batch-norm statistics, momentum); from then on an error that is not the whole job's (a stop request,
    /// a diverged loss) ends the job at once rather than leaving the other ranks waiting.
    /// </summary>
    private static TrainingResult Execute(Setup setup, ProgressReporter progress, CancellationToken cancellation, DistributedOptions? distributed)
    {
        DataParallelReplica? replica = null;
        TrainingRun? run = null;
        try
        {
            if (distributed is not null)
            {
                var communicator = distributed.Communicator;
                if (communicator.Rank == 0) communicator.BroadcastJson(Describe(setup), PersistedJson.Default.ReplicaSetup, "the run's settings");
                communicator.BroadcastState(setup.Model.State().Concat(setup.Optimizer.State()));
                replica = new DataParallelReplica(setup.Model.Network, communicator, distributed.BucketBytes);
            }
            run = new TrainingRun(setup.Options, setup.Train, setup.Validation, setup.Statistics, setup.Model, setup.Optimizer,
                new LearningRateSchedule(ScheduleOptions(setup.Options), setup.Schedule), setup.Position, setup.Progress, progress, replica);
            return run.Execute(cancellation);
        }
        catch (Exception e) when (distributed is not null && e is not (OperationCanceledException or TrainingDivergedException))
        {
            distributed.Communicator.Abort(e.Message);
            throw;
        }
        finally
        {
            if (run is not null) run.Dispose();
            else
            {
                setup.Optimizer.Dispose();
                setup.Model.Dispose();
            }
            replica?.Dispose();
        }
    }

    private static ReplicaSetup Describe(Setup setup) => new()
    {
        Options = setup.Options, Statistics = setup.Statistics, Model = ModelMetadata.From(setup.Model.Options), Optimizer = setup.Optimizer.Options,
        Schedule = setup.Schedule, Position = setup.Position, Progress = setup.Progress, TrainImages = setup.Train.Count,
        ValidationImages = setup.Validation.Count, ClassNames = setup.Train.ClassNames, State = Describe(setup.Model, setup.Optimizer),
    };

    private static List<string> Describe(VggModel model, SgdOptimizer optimizer) =>
        model.State().Concat(optimizer.State()).Select(e => $"{e.Key} [{string.Join(", ", e.Shape)}]").ToList();

    private static PlateauScheduleOptions ScheduleOptions(TrainingOptions options) => new()
    {
        InitialLearningRate = options.LearningRate, Patience = options.Patience, MinImprovement = options.MinImprovement,
        MaxReductions = options.MaxReductions, MaxEpochs = options.Epochs, AnnealEpochs = options.AnnealEpochs,
    };

    /// <summary>
    /// Fine-tunes from a model of the same configuration (all weights) or warm-starts from a shallower one (the paper's);
    /// <paramref name="sourceOptions"/> is what the file says of itself.
    /// </summary>
    private static void StartFrom(VggModel model, IWeightsSource file, VggOptions sourceOptions, ProgressReporter progress)
    {
        string inputs = model.Options.Preprocessing == sourceOptions.Preprocessing ? "; its input preprocessing is kept" : "";
        if (VggConfiguration.Parse(sourceOptions.Configuration).Name == model.Configuration.Name)
        {
            WeightsFile.LoadInto(model, file);
            progress.Message($"Fine-tuning from {file.Path}{inputs}.");
            return;
        }
        using var source = StateLoader.Build(file, sourceOptions, null);
        var copied = WarmStart.Apply(model, source);
        progress.Message($"Warm start from {file.Path} ({source.Configuration.Name}): {string.Join(", ", copied)}{inputs}.");
    }

    private static T Read<T>(Checkpoint checkpoint, string key, JsonTypeInfo<T> typeInfo, T? defaults = null) where T : class
    {
        if (!checkpoint.Extra.TryGetValue(key, out string? json))
            throw new WeightsFormatException(checkpoint.Path, $"the checkpoint has no {key}; it was not written by the trainer");
        try
        {
            return PersistedJson.Read(json, typeInfo, defaults) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new WeightsFormatException(checkpoint.Path, $"the checkpoint's {key} is not valid: {e.Message}", e);
        }
    }
}
