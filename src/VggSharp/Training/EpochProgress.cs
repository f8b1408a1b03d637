using System.Text.Json.Serialization;

namespace VggSharp.Training;

/// <summary>The running sums of the epoch in progress, kept in checkpoints so a resumed epoch reports the same figures.</summary>
internal sealed record EpochProgress(
    [property: JsonPropertyName("loss_sum")] double LossSum,
    [property: JsonPropertyName("correct")] long Correct,
    [property: JsonPropertyName("images")] long Images,
    [property: JsonPropertyName("seconds")] double Seconds,
    [property: JsonPropertyName("skipped")] long Skipped)
{
    public static EpochProgress Empty { get; } = new(0, 0, 0, 0, 0);
}
