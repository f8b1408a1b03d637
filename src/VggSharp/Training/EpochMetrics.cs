using System.Text.Json.Serialization;

namespace VggSharp.Training;

/// <summary>
/// One epoch's figures, as a line of metrics.jsonl. Errors are fractions in [0, 1] (0.25 is 25%); the epoch is
/// 1-based (the first epoch completed is 1). In a data-parallel job the figures are the whole job's.
/// </summary>
public sealed record EpochMetrics
{
    /// <summary>The epoch, from 1.</summary>
    [JsonPropertyName("epoch")] public required int Epoch { get; init; }

    /// <summary>Mean training loss over the epoch.</summary>
    [JsonPropertyName("train_loss")] public required double TrainLoss { get; init; }

    /// <summary>Training top-1 error over the epoch (with dropout and augmentation on).</summary>
    [JsonPropertyName("train_top1_error")] public required double TrainTop1Error { get; init; }

    /// <summary>Validation top-1 error.</summary>
    [JsonPropertyName("val_top1_error")] public required double ValTop1Error { get; init; }

    /// <summary>Validation top-5 error.</summary>
    [JsonPropertyName("val_top5_error")] public required double ValTop5Error { get; init; }

    /// <summary>The learning rate used during the epoch.</summary>
    [JsonPropertyName("lr")] public required double LearningRate { get; init; }

    /// <summary>Training throughput.</summary>
    [JsonPropertyName("images_per_second")] public required double ImagesPerSecond { get; init; }

    /// <summary>Wall-clock seconds the epoch's training steps took (loader waits included, validation not).</summary>
    [JsonPropertyName("seconds")] public required double Seconds { get; init; }

    /// <summary>
    /// Of <see cref="Seconds"/>, the seconds the steps waited for the data loader's batches (in a resumed epoch, since
    /// the resume); null in logs written before it was measured.
    /// </summary>
    [JsonPropertyName("loader_wait_seconds")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? LoaderWaitSeconds { get; init; }

    /// <summary>Wall-clock seconds the epoch's validation took; null in logs written before it was measured.</summary>
    [JsonPropertyName("validation_seconds")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? ValidationSeconds { get; init; }

    /// <summary>Training images skipped because they could not be decoded.</summary>
    [JsonPropertyName("skipped_images")] public required long SkippedImages { get; init; }

    /// <summary>The processes the epoch was trained on, in a data-parallel job; null for a single process.</summary>
    [JsonPropertyName("ranks")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Ranks { get; init; }

    /// <summary>
    /// In a data-parallel job, the mean seconds per step that rank 0 spent in communication: the part of the gradient
    /// sums not hidden behind backward, the batch-norm statistics and the step's bookkeeping; null for a single process.
    /// </summary>
    [JsonPropertyName("communication_seconds_per_step")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? CommunicationSecondsPerStep { get; init; }

    /// <summary>
    /// In a data-parallel job, the part of <see cref="CommunicationSecondsPerStep"/> spent summing batch-norm statistics,
    /// which makes every rank wait for the others at each batch-norm layer; null for a single process.
    /// </summary>
    [JsonPropertyName("batch_norm_seconds_per_step")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? BatchNormSecondsPerStep { get; init; }

    /// <summary>Checks the ranges: errors in [0, 1], a positive epoch, non-negative rates, times and counts.</summary>
    public void Validate()
    {
        if (Epoch < 1) throw new ArgumentException($"Epochs count from 1, got {Epoch}.");
        CheckFraction(TrainTop1Error, "train_top1_error");
        CheckFraction(ValTop1Error, "val_top1_error");
        CheckFraction(ValTop5Error, "val_top5_error");
        if (!(LearningRate >= 0) || double.IsInfinity(LearningRate)) throw new ArgumentException($"lr must be finite and non-negative, got {LearningRate}.");
        if (!(ImagesPerSecond >= 0) || double.IsInfinity(ImagesPerSecond)) throw new ArgumentException($"images_per_second must be finite and non-negative, got {ImagesPerSecond}.");
        if (!(Seconds >= 0) || double.IsInfinity(Seconds)) throw new ArgumentException($"seconds must be finite and non-negative, got {Seconds}.");
        CheckOptionalSeconds(LoaderWaitSeconds, "loader_wait_seconds");
        CheckOptionalSeconds(ValidationSeconds, "validation_seconds");
        if (Ranks is < 1) throw new ArgumentException($"ranks must be at least 1, got {Ranks}.");
        CheckOptionalSeconds(CommunicationSecondsPerStep, "communication_seconds_per_step");
        CheckOptionalSeconds(BatchNormSecondsPerStep, "batch_norm_seconds_per_step");
        if (SkippedImages < 0) throw new ArgumentException($"skipped_images must be non-negative, got {SkippedImages}.");
    }

    private static void CheckOptionalSeconds(double? value, string name)
    {
        if (value is { } seconds && !(seconds >= 0 && !double.IsInfinity(seconds)))
            throw new ArgumentException($"{name} must be finite and non-negative, got {seconds}.");
    }

    private static void CheckFraction(double value, string name)
    {
        if (!(value >= 0 && value <= 1)) throw new ArgumentException($"{name} is a fraction in [0, 1], got {value}.");
    }
}
