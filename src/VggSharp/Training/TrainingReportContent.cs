using VggSharp.Evaluation;

namespace VggSharp.Training;

/// <summary>What <see cref="TrainingReport"/> shows.</summary>
public sealed record TrainingReportContent
{
    /// <summary>The page's title. Default "VggSharp training run".</summary>
    public string Title { get; init; } = "VggSharp training run";

    /// <summary>A line under the title: the run's state ("epoch 12 of 74", "stopped: plateau after 3 reductions"); none by default.</summary>
    public string? Status { get; init; }

    /// <summary>The model and data, as name/value rows (configuration, classes, input size, images).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Configuration { get; init; } = [];

    /// <summary>The training options, as name/value rows (batch size, learning rate, momentum, seed).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Options { get; init; } = [];

    /// <summary>The epochs so far, from the metrics log.</summary>
    public IReadOnlyList<EpochMetrics> Epochs { get; init; } = [];

    /// <summary>The latest validation confusion matrix, with class names; none by default.</summary>
    public ConfusionMatrix? Confusion { get; init; }
}
