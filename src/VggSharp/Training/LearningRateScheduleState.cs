using System.Text.Json.Serialization;

namespace VggSharp.Training;

/// <summary>Everything <see cref="LearningRateSchedule"/> remembers between epochs, so that a checkpoint restores it exactly.</summary>
/// <param name="LearningRate">The learning rate for the next epoch.</param>
/// <param name="EpochsObserved">The epochs whose validation accuracy the schedule has seen.</param>
/// <param name="BestAccuracy">The best validation top-1 accuracy so far (a fraction), or null before the first epoch.</param>
/// <param name="BestEpoch">The epoch (1-based) of the best accuracy, or 0 before the first epoch.</param>
/// <param name="EpochsSinceImprovement">Epochs since the last improvement or reduction, whichever is later.</param>
/// <param name="Reductions">The reductions made so far.</param>
/// <param name="Stop">Why training should stop, or <see cref="ScheduleStop.None"/>.</param>
public sealed record LearningRateScheduleState(
    [property: JsonPropertyName("learning_rate")] double LearningRate,
    [property: JsonPropertyName("epochs_observed")] int EpochsObserved,
    [property: JsonPropertyName("best_accuracy")] double? BestAccuracy,
    [property: JsonPropertyName("best_epoch")] int BestEpoch,
    [property: JsonPropertyName("epochs_since_improvement")] int EpochsSinceImprovement,
    [property: JsonPropertyName("reductions")] int Reductions,
    [property: JsonPropertyName("stop")] ScheduleStop Stop)
{
    /// <summary>The state before the first epoch.</summary>
    public static LearningRateScheduleState Initial(PlateauScheduleOptions options) => new(options.InitialLearningRate, 0, null, 0, 0, 0, ScheduleStop.None);
}
