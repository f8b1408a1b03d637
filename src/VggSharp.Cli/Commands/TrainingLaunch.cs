using VggSharp.Data;
using VggSharp.Data.Transforms;
using VggSharp.Distributed;
using VggSharp.Interop;
using VggSharp.Kernels;
using VggSharp.Localisation;
using VggSharp.Models;
using VggSharp.Training;

namespace VggSharp.Cli.Commands;

/// <summary>
/// What "vggsharp train" does around the library's <see cref="Trainer"/>: opens the data its
/// <see cref="TrainingSource"/> names, computes the training set's channel statistics, builds and initialises the
/// model or starts it from --init-from's weights; or, for --resume, loads the checkpoint and reopens its data. Under
/// mpirun, ranks other than 0 follow rank 0's run.
/// </summary>
internal static class TrainingLaunch
{
    /// <summary>Starts a new run of <paramref name="options"/>, whose <see cref="TrainingOptions.Source"/> says what to train on and from.</summary>
    public static TrainingResult Start(TrainingOptions options, ProgressReporter progress, CancellationToken cancellation = default, DistributedOptions? distributed = null)
    {
        if (distributed is { Communicator.Rank: > 0 }) return Trainer.Follow(distributed, OpenData, progress, cancellation);
        VggModel model;
        IImageDataset train, validation;
        try
        {
            var source = options.Source ?? throw new ArgumentException("The command line trains on the data its options name; these have no source.");
            if (options.Localisation is not null && distributed is not null) throw new NotSupportedException("Localisation training runs in one process; start it without mpirun.");
            // A localisation network takes its architecture from the classifier it starts from, and is checked against that.
            if (options.Localisation is not null && source.InitFrom is not null)
            {
                (train, validation) = OpenData(options);
                return StartLocalisation(options, source, train, validation, progress, cancellation);
            }
            Trainer.CheckNewRun(options, source.Model);
            (train, validation) = OpenData(options);
            int channels = source.InputChannels ?? (train is IdxDataset ? 1 : 3);
            progress.Message($"Data: {train.Count} training and {validation.Count} validation images, {train.ClassNames.Count} classes.");
            var statistics = ChannelStatistics.Compute(train, channels, maxImages: 20_000, bad => progress.Message($"skipped {bad.Source}: {bad.Reason}"));
            options = options with { Statistics = statistics };
            // The file to start from is opened once: what it says of its model decides the preprocessing and how it is used.
            using var init = source.InitFrom is null ? null : WeightsFile.Open(source.InitFrom);
            var initOptions = init is null ? null : WeightsFile.ReadOptions(init);
            model = VggModel.Create(source.Model with
            {
                Classes = options.OutputsFor(train.ClassNames.Count), InputChannels = channels,
                // The weights taken from another model expect its inputs (torchvision's normalisation, say), not this set's mean.
                Preprocessing = initOptions?.Preprocessing is { } inherited && inherited.Mean.Length == channels ? inherited : statistics.ToMeanSubtraction(),
            }, scheme: source.Init, seed: options.Seed);
            try
            {
                if (init is not null) StartFrom(model, init, initOptions!, progress);
            }
            catch
            {
                model.Dispose();
                throw;
            }
        }
        catch (Exception e) when (distributed is not null)
        {
            Trainer.CancelStart(distributed, e);
            throw;
        }
        using (model) return Trainer.Train(model, train, validation, options, progress, cancellation, distributed);
    }

    /// <summary>Continues the run in <paramref name="runDirectory"/> from its checkpoint, with the options it was started with.</summary>
    public static TrainingResult Resume(string runDirectory, ProgressReporter progress, CancellationToken cancellation = default, DistributedOptions? distributed = null)
    {
        if (distributed is { Communicator.Rank: > 0 }) return Trainer.Follow(distributed, OpenData, progress, cancellation);
        Checkpoint? checkpoint = null;
        IImageDataset train, validation;
        try
        {
            checkpoint = Checkpoint.Load(runDirectory);
            (train, validation) = OpenData(checkpoint.Options);
        }
        catch (Exception e)
        {
            checkpoint?.Dispose();
            if (distributed is not null) Trainer.CancelStart(distributed, e);
            throw;
        }
        return Trainer.Resume(checkpoint, train, validation, progress, cancellation, distributed);
    }

    private static (IImageDataset Train, IImageDataset Validation) OpenData(TrainingOptions options)
    {
        string spec = options.Source?.Data ?? throw new InvalidOperationException("The run was trained on a program's own data sets, which the command line cannot open.");
        return options.Localisation is null ? DataSource.Open(spec) : LocalisationDataset.Open(spec);
    }

    /// <summary>
    /// A localisation run started from a classifier (the paper's Appendix A): the classifier's configuration, input
    /// size, channels and preprocessing, all its layers but the last, and a new box head.
    /// </summary>
    private static TrainingResult StartLocalisation(TrainingOptions options, TrainingSource source, IImageDataset train, IImageDataset validation,
        ProgressReporter progress, CancellationToken cancellation)
    {
        using var classifier = WeightsFile.Load(source.InitFrom!, new WeightsLoadOptions(), Backends.Fast);
        if (classifier.Options.Classes != train.ClassNames.Count)
            throw new InvalidOperationException($"{source.InitFrom} classifies {classifier.Options.Classes} classes; the data has {train.ClassNames.Count}.");
        using var model = LocalisationModel.FromClassifier(classifier, options.Localisation!, source.Init, options.Seed);
        options = options with { Source = source with { Model = model.Options, InputChannels = model.Options.InputChannels } };
        Trainer.CheckNewRun(options, model.Options);
        progress.Message($"Data: {train.Count} training and {validation.Count} validation images, {train.ClassNames.Count} classes, with boxes.");
        var statistics = ChannelStatistics.Compute(train, model.Options.InputChannels, maxImages: 20_000, bad => progress.Message($"skipped {bad.Source}: {bad.Reason}"));
        progress.Message($"Localisation ({options.Localisation!.Regression}) from {source.InitFrom}: every layer but the last, and a new box head of {model.Options.Classes} outputs.");
        return Trainer.Train(model, train, validation, options with { Statistics = statistics }, progress, cancellation);
    }

    /// <summary>
    /// Fine-tunes from a model of the same configuration (all weights) or warm-starts from a shallower one (the paper's);
    /// <paramref name="fileOptions"/> is what the file says of itself.
    /// </summary>
    private static void StartFrom(VggModel model, IWeightsSource file, VggOptions fileOptions, ProgressReporter progress)
    {
        string inputs = model.Options.Preprocessing == fileOptions.Preprocessing ? "; its input preprocessing is kept" : "";
        if (VggConfiguration.Parse(fileOptions.Configuration).Name == model.Configuration.Name)
        {
            WeightsFile.LoadInto(model, file);
            progress.Message($"Fine-tuning from {file.Path}{inputs}.");
            return;
        }
        // The source only lends some of its weights: it stays in host memory, whatever device the model is on.
        using var source = WeightsFile.Load(file, Backends.Fast);
        var copied = WarmStart.Apply(model, source);
        progress.Message($"Warm start from {file.Path} ({source.Configuration.Name}): {string.Join(", ", copied)}{inputs}.");
    }
}
