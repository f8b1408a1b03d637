using System.Text.Json;
using VggSharp.Data;
using VggSharp.Data.Transforms;
using VggSharp.Interop;
using VggSharp.Models;

namespace VggSharp.Training;

/// <summary>
/// Trains a VGG network with the paper's recipe (section 3.1) and writes a run directory: checkpoint.safetensors
/// (every epoch, every <see cref="TrainingOptions.CheckpointSeconds"/> within one, and on cancellation),
/// metrics.jsonl, report.html and, at the end, model.safetensors. A run stopped by cancellation or killed outright
/// resumes from its checkpoint with <see cref="Resume"/> and ends with the same bits as an uninterrupted run.
/// </summary>
public static class Trainer
{
    /// <summary>The final weights' file name in the run directory.</summary>
    public const string ModelFileName = "model.safetensors";

    /// <summary>Starts a new run in <see cref="TrainingOptions.OutputDirectory"/>, which must not hold a checkpoint already.</summary>
    public static TrainingResult Train(TrainingOptions options, ProgressReporter progress, CancellationToken cancellation = default)
    {
        options.Validate();
        if (Checkpoint.Exists(options.OutputDirectory))
            throw new InvalidOperationException($"{options.OutputDirectory} already holds a run; resume it with --resume {options.OutputDirectory} or choose another --out.");
        var (train, validation) = DataSource.Open(options.Data);
        int channels = options.InputChannels ?? (train is IdxDataset ? 1 : 3);
        progress.Message($"Data: {train.Count} training and {validation.Count} validation images, {train.ClassNames.Count} classes.");
        var statistics = ChannelStatistics.Compute(train, channels, maxImages: 20_000, bad => progress.Message($"skipped {bad.Source}: {bad.Reason}"));
        var model = VggModel.Create(new VggOptions
        {
            Configuration = options.Configuration, Classes = train.ClassNames.Count, InputChannels = channels, InputSize = options.InputSize,
            WidthMultiplier = options.Width, Head = options.Head, HiddenUnits = options.HiddenUnits, Dropout = options.Dropout,
            Preprocessing = statistics.ToMeanSubtraction(),
        });
        try
        {
            model.Initialize(options.Init, options.Seed);
            if (options.InitFrom is not null) StartFrom(model, options.InitFrom, progress);
            var optimizer = new SgdOptimizer(model.Network, new SgdOptions { Momentum = options.Momentum, WeightDecay = options.WeightDecay });
            var schedule = new LearningRateSchedule(ScheduleOptions(options));
            Directory.CreateDirectory(options.OutputDirectory);
            new MetricsLog(options.OutputDirectory).DropAfter(0);
            using var run = new TrainingRun(options, train, validation, statistics, model, optimizer, schedule, TrainingPosition.Start, EpochProgress.Empty, progress);
            model = null!;
            return run.Execute(cancellation);
        }
        finally
        {
            model?.Dispose();
        }
    }

    /// <summary>Continues the run in <paramref name="runDirectory"/> from its checkpoint, with the options it was started with.</summary>
    public static TrainingResult Resume(string runDirectory, ProgressReporter progress, CancellationToken cancellation = default)
    {
        var checkpoint = Checkpoint.Load(runDirectory);
        try
        {
            var options = Read<TrainingOptions>(checkpoint, OptionsKey) with { OutputDirectory = runDirectory };
            var statistics = Read<ChannelStatistics>(checkpoint, StatisticsKey);
            var epochProgress = Read<EpochProgress>(checkpoint, ProgressKey);
            var (train, validation) = DataSource.Open(options.Data);
            if (train.ClassNames.Count != checkpoint.Model.Options.Classes)
                throw new InvalidOperationException($"The data now has {train.ClassNames.Count} classes; the run was started with {checkpoint.Model.Options.Classes}.");
            var position = checkpoint.Position;
            new MetricsLog(runDirectory).DropAfter(position.Epoch);
            progress.Message($"Resuming {runDirectory} at epoch {position.Epoch + 1}, step {position.StepInEpoch}.");
            using var run = new TrainingRun(options, train, validation, statistics, checkpoint.Model, checkpoint.Optimizer,
                new LearningRateSchedule(ScheduleOptions(options), checkpoint.Schedule), position, epochProgress, progress);
            return run.Execute(cancellation);
        }
        catch
        {
            checkpoint.Dispose();
            throw;
        }
    }

    internal const string OptionsKey = "options", StatisticsKey = "statistics", ProgressKey = "epoch_progress", ClassNamesKey = "class_names";

    private static PlateauScheduleOptions ScheduleOptions(TrainingOptions options) => new()
    {
        InitialLearningRate = options.LearningRate, Patience = options.Patience, MinImprovement = options.MinImprovement,
        MaxReductions = options.MaxReductions, MaxEpochs = options.Epochs,
    };

    /// <summary>Fine-tunes from a model of the same configuration (all weights) or warm-starts from a shallower one (the paper's).</summary>
    private static void StartFrom(VggModel model, string path, ProgressReporter progress)
    {
        // The header says which case this is, so the weights are read once either way.
        if (VggConfiguration.Parse(WeightsFile.ReadOptions(path).Configuration).Name == model.Configuration.Name)
        {
            WeightsFile.LoadInto(model, path);
            progress.Message($"Fine-tuning from {path}.");
            return;
        }
        using var source = WeightsFile.Load(path);
        var copied = WarmStart.Apply(model, source);
        progress.Message($"Warm start from {path} ({source.Configuration.Name}): {string.Join(", ", copied)}.");
    }

    private static T Read<T>(Checkpoint checkpoint, string key)
    {
        if (!checkpoint.Extra.TryGetValue(key, out string? json))
            throw new WeightsFormatException(checkpoint.Path, $"the checkpoint has no {key}; it was not written by the trainer");
        try
        {
            return JsonSerializer.Deserialize<T>(json) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new WeightsFormatException(checkpoint.Path, $"the checkpoint's {key} is not valid: {e.Message}", e);
        }
    }
}
