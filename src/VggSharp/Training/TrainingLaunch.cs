using VggSharp.Data;
using VggSharp.Data.Transforms;
using VggSharp.Distributed;
using VggSharp.Interop;
using VggSharp.Kernels;
using VggSharp.Localisation;
using VggSharp.Models;

namespace VggSharp.Training;

/// <summary>
/// A run the command line describes, around <see cref="Trainer"/> (what "vggsharp train" and "vggsharp experiment" do): opens the data its
/// <see cref="TrainingSource"/> names, computes the training set's channel statistics, builds and initialises the
/// model or starts it from --init-from's weights; or, for --resume, loads the checkpoint and reopens its data. Under
/// mpirun, ranks other than 0 follow rank 0's run.
/// </summary>
public static class TrainingLaunch
{
    /// <summary>
    /// Starts a new run of <paramref name="options"/>, whose <see cref="TrainingOptions.Source"/> says what to train on and from; its
    /// <see cref="TrainingOptions.Statistics"/> are used when given, and computed from the training set otherwise.
    /// </summary>
    /// <param name="options">The run's options.</param>
    /// <param name="progress">Where the run reports.</param>
    /// <param name="cancellation">Stops the run at the next step, its checkpoint saved.</param>
    /// <param name="distributed">The job this process is a rank of, under mpirun.</param>
    /// <param name="data">The data sets the source names, when the caller has opened them already (a study opens them once for all its runs).</param>
    public static TrainingResult Start(TrainingOptions options, IProgress<TrainingProgress>? progress, CancellationToken cancellation = default,
        DistributedOptions? distributed = null, (IImageDataset Train, IImageDataset Validation)? data = null)
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
                (train, validation) = data ?? OpenData(options);
                return StartLocalisation(options, source, train, validation, progress, cancellation);
            }
            Trainer.CheckNewRun(options, source.Model);
            (train, validation) = data ?? OpenData(options);
            int channels = InputChannels(source, train);
            Say(progress, $"Data: {train.Count} training and {validation.Count} validation images, {train.ClassNames.Count} classes.");
            var statistics = options.Statistics ?? Statistics(source, train, progress);
            options = options with { Statistics = statistics };
            // The file to start from is opened once: what it says of its model decides the preprocessing and how it is used.
            using var init = source.InitFrom is null ? null : WeightsFile.Open(source.InitFrom);
            // A file of the convolutions alone (Keras's _notop) describes no whole model: its preprocessing is all it says.
            var initOptions = init is null || init.FeaturesOnly ? null : WeightsFile.ReadOptions(init);
            var inherited = init is { FeaturesOnly: true } ? init.Preprocessing : initOptions?.Preprocessing;
            model = VggModel.Create(source.Model with
            {
                Classes = options.OutputsFor(train.ClassNames.Count), InputChannels = channels,
                // The weights taken from another model expect its inputs (torchvision's normalisation, say), not this set's mean.
                Preprocessing = inherited is not null && inherited.Mean.Length == channels ? inherited : statistics.ToMeanSubtraction(),
            }, scheme: source.Init, seed: options.Seed);
            try
            {
                if (init is not null) StartFrom(model, init, initOptions, progress);
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
    /// <param name="runDirectory">The run directory.</param>
    /// <param name="progress">Where the run reports.</param>
    /// <param name="cancellation">Stops the run at the next step, its checkpoint saved.</param>
    /// <param name="distributed">The job this process is a rank of, under mpirun.</param>
    /// <param name="data">The data sets the run's source names, when the caller has opened them already.</param>
    public static TrainingResult Resume(string runDirectory, IProgress<TrainingProgress>? progress, CancellationToken cancellation = default,
        DistributedOptions? distributed = null, (IImageDataset Train, IImageDataset Validation)? data = null)
    {
        if (distributed is { Communicator.Rank: > 0 }) return Trainer.Follow(distributed, OpenData, progress, cancellation);
        Checkpoint? checkpoint = null;
        IImageDataset train, validation;
        try
        {
            checkpoint = Checkpoint.Load(runDirectory);
            (train, validation) = data ?? OpenData(checkpoint.Options);
        }
        catch (Exception e)
        {
            checkpoint?.Dispose();
            if (distributed is not null) Trainer.CancelStart(distributed, e);
            throw;
        }
        return Trainer.Resume(checkpoint, train, validation, progress, cancellation, distributed);
    }

    /// <summary>
    /// The channel statistics <see cref="Start"/> computes for a run on <paramref name="train"/> (from up to 20,000
    /// images) when its options carry none: a caller starting several runs on the same data computes them once.
    /// </summary>
    public static ChannelStatistics Statistics(TrainingSource source, IImageDataset train, IProgress<TrainingProgress>? progress = null) =>
        ChannelStatistics.Compute(train, InputChannels(source, train), maxImages: 20_000, bad => Say(progress, $"skipped {bad.Source}: {bad.Reason}"));

    /// <summary>The source's input channels, or the data's: 1 for Fashion-MNIST's IDX files, 3 for image folders.</summary>
    private static int InputChannels(TrainingSource source, IImageDataset train) => source.InputChannels ?? (train is IdxDataset ? 1 : 3);

    private static (IImageDataset Train, IImageDataset Validation) OpenData(TrainingOptions options)
    {
        var source = options.Source ?? throw new InvalidOperationException("The run was trained on a program's own data sets, which the command line cannot open.");
        if (options.Localisation is null) return source.OpenData();
        if (source.Classes is not null || source.PerClass is not null)
            throw new NotSupportedException("Localisation trains on every class and image of its data: drop the class subset and --per-class.");
        return LocalisationDataset.Open(source.Data);
    }

    /// <summary>
    /// A localisation run started from a classifier (the paper's Appendix A): the classifier's configuration, input
    /// size, channels and preprocessing, all its layers but the last, and a new box head.
    /// </summary>
    private static TrainingResult StartLocalisation(TrainingOptions options, TrainingSource source, IImageDataset train, IImageDataset validation,
        IProgress<TrainingProgress>? progress, CancellationToken cancellation)
    {
        using var classifier = WeightsFile.Load(source.InitFrom!, new WeightsLoadOptions(), Backends.Fast);
        if (classifier.Options.Classes != train.ClassNames.Count)
            throw new InvalidOperationException($"{source.InitFrom} classifies {classifier.Options.Classes} classes; the data has {train.ClassNames.Count}.");
        using var model = LocalisationModel.FromClassifier(classifier, options.Localisation!, source.Init, options.Seed);
        options = options with { Source = source with { Model = model.Options, InputChannels = model.Options.InputChannels } };
        Trainer.CheckNewRun(options, model.Options);
        Say(progress, $"Data: {train.Count} training and {validation.Count} validation images, {train.ClassNames.Count} classes, with boxes.");
        var statistics = options.Statistics ?? Statistics(options.Source!, train, progress);
        Say(progress, $"Localisation ({options.Localisation!.Regression}) from {source.InitFrom}: every layer but the last, and a new box head of {model.Options.Classes} outputs.");
        return Trainer.Train(model, train, validation, options with { Statistics = statistics }, progress, cancellation);
    }

    /// <summary>
    /// Fine-tunes from a model of the same configuration (all weights), warm-starts from a shallower one (the paper's), or
    /// takes the convolutions of a file that holds only those, the classifier keeping its initialisation;
    /// <paramref name="fileOptions"/> is what the file says of itself (null for the convolutions alone).
    /// </summary>
    private static void StartFrom(VggModel model, IWeightsSource file, VggOptions? fileOptions, IProgress<TrainingProgress>? progress)
    {
        string inputs = model.Options.Preprocessing == (fileOptions is null ? file.Preprocessing : fileOptions.Preprocessing) ? "; its input preprocessing is kept" : "";
        if (fileOptions is null)
        {
            WeightsFile.LoadFeaturesInto(model, file);
            Say(progress, $"Warm start from {file.Path}: its convolutional layers, the classifier initialised afresh{inputs}.");
            return;
        }
        if (VggConfiguration.Parse(fileOptions.Configuration).Name == model.Configuration.Name)
        {
            WeightsFile.LoadInto(model, file);
            Say(progress, $"Fine-tuning from {file.Path}{inputs}.");
            return;
        }
        // The source only lends some of its weights: it stays in host memory, whatever device the model is on.
        using var source = WeightsFile.Load(file, Backends.Fast);
        var copied = WarmStart.Apply(model, source);
        Say(progress, $"Warm start from {file.Path} ({source.Configuration.Name}): {string.Join(", ", copied)}{inputs}.");
    }

    private static void Say(IProgress<TrainingProgress>? progress, string text) => progress?.Report(new TrainingProgress.Message(text));
}
