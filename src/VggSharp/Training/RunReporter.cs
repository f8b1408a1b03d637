using System.Globalization;
using VggSharp.Evaluation;
using VggSharp.Models;

namespace VggSharp.Training;

/// <summary>
/// What a run tells: progress to the caller's <see cref="IProgress{T}"/>, and, in the process that writes the run
/// directory, each epoch's line of metrics.jsonl and report.html, rewritten after every epoch and when the run ends.
/// </summary>
internal sealed class RunReporter
{
    private readonly TrainingOptions _options;
    private readonly IProgress<TrainingProgress>? _progress;
    private readonly MetricsLog? _metrics;
    private readonly VggModel _model;
    private readonly int _classes, _ranks;

    /// <param name="options">The run's options.</param>
    /// <param name="progress">Where progress goes; null: nowhere.</param>
    /// <param name="writesFiles">Whether this process writes the run directory (a single process, or rank 0 of a job).</param>
    /// <param name="model">The model being trained.</param>
    /// <param name="classes">The number of classes.</param>
    /// <param name="ranks">The processes of a data-parallel job; null for a single process.</param>
    public RunReporter(TrainingOptions options, IProgress<TrainingProgress>? progress, bool writesFiles, VggModel model, int classes, int? ranks)
    {
        (_options, _progress, _model, _classes, _ranks) = (options, progress, model, classes, ranks ?? 0);
        _metrics = writesFiles ? new MetricsLog(options.OutputDirectory) : null;
    }

    /// <summary>Every epoch's figures so far, from metrics.jsonl; none in a process that does not write it.</summary>
    public IReadOnlyList<EpochMetrics> Epochs => _metrics?.Read() ?? [];

    public void BeginEpoch(int epoch, int epochs, int steps, int firstStep) => _progress?.Report(new TrainingProgress.EpochStarted(epoch, epochs, steps, firstStep));

    public void Step(int images, double meanLoss, int correct) => _progress?.Report(new TrainingProgress.StepFinished(images, meanLoss, correct));

    public void Message(string text) => _progress?.Report(new TrainingProgress.Message(text));

    /// <summary>Logs the epoch's figures to metrics.jsonl, then reports them.</summary>
    public void EndEpoch(EpochMetrics metrics)
    {
        _metrics?.Append(metrics);
        _progress?.Report(new TrainingProgress.EpochFinished(metrics));
    }

    /// <summary>Rewrites report.html with <paramref name="status"/>, the epochs so far and the last validation's <paramref name="confusion"/>.</summary>
    public void WriteReport(string status, ConfusionMatrix? confusion)
    {
        if (_metrics is null) return;
        // Floats print from their own shortest form, not widened to double (0.9, not 0.8999999761581421).
        string Invariant(double v) => v.ToString("G", CultureInfo.InvariantCulture);
        string Single(float v) => v.ToString(CultureInfo.InvariantCulture);
        var model = _model.Options;
        var (augmentation, schedule, optimizer) = (_options.Augmentation, _options.Schedule, _options.Optimizer);
        TrainingReport.Write(_options.OutputDirectory, new TrainingReportContent
        {
            Status = status,
            Configuration =
            [
                new("configuration", _model.Configuration.Name), new("width", Invariant(model.WidthMultiplier)), new("head", model.Head.ToString()),
                new("input", $"{model.InputChannels}x{model.InputSize}x{model.InputSize}"), new("classes", _classes.ToString(CultureInfo.InvariantCulture)),
                new("parameters", _model.ParameterCount.ToString("N0", CultureInfo.InvariantCulture)), new("data", _options.Source?.Data ?? "the caller's data set"),
            ],
            Options =
            [
                new("batch", _options.Loader.BatchSize.ToString(CultureInfo.InvariantCulture)), new("learning rate", Invariant(schedule.InitialLearningRate)),
                new("momentum", Single(optimizer.Momentum)), new("weight decay", Single(optimizer.WeightDecay)), new("dropout", Single(model.Dropout)),
                new("scale S", augmentation.MinScale == augmentation.MaxScale ? $"{augmentation.MinScale}" : $"[{augmentation.MinScale}, {augmentation.MaxScale}]"),
                new("init", _options.Source is { } source ? source.InitFrom ?? source.Init.ToString() : "the caller's model"),
                new("seed", _options.Seed.ToString(CultureInfo.InvariantCulture)), new("epochs", schedule.MaxEpochs.ToString(CultureInfo.InvariantCulture)),
                .. _ranks == 0 ? [] : new KeyValuePair<string, string>[] { new("processes", _ranks.ToString(CultureInfo.InvariantCulture)) },
            ],
            Epochs = _metrics.Read(),
            Confusion = confusion,
        });
    }
}
