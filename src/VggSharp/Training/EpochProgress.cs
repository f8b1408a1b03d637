using System.Text.Json.Serialization;

namespace VggSharp.Training;

/// <summary>The running sums of the epoch in progress, kept in checkpoints so a resumed epoch reports the same figures.</summary>
/// <param name="LossSum">The sum of the training images' losses.</param>
/// <param name="Correct">The training images classified correctly (top-1).</param>
/// <param name="Images">The training images processed.</param>
/// <param name="Seconds">The seconds spent training in the epoch.</param>
/// <param name="Skipped">The training images that could not be read.</param>
public sealed record EpochProgress(
    [property: JsonPropertyName("loss_sum")] double LossSum,
    [property: JsonPropertyName("correct")] long Correct,
    [property: JsonPropertyName("images")] long Images,
    [property: JsonPropertyName("seconds")] double Seconds,
    [property: JsonPropertyName("skipped")] long Skipped)
{
    /// <summary>An epoch not yet started.</summary>
    public static EpochProgress Empty { get; } = new(0, 0, 0, 0, 0);
}
