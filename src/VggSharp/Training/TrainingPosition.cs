using System.Text.Json.Serialization;

namespace VggSharp.Training;

/// <summary>
/// Where training resumes: since all randomness is keyed by (seed, epoch, sample index), this and the seed are the
/// whole random state of a run.
/// </summary>
/// <param name="Epoch">The zero-based epoch in progress, which is also the number of epochs completed.</param>
/// <param name="StepInEpoch">The batches of that epoch already done (0 at an epoch boundary), including any none of whose images could be read.</param>
/// <param name="GlobalStep">The optimisation steps done since the start of training.</param>
/// <param name="SamplesSeen">The training images processed since the start of training.</param>
public sealed record TrainingPosition(
    [property: JsonPropertyName("epoch")] int Epoch,
    [property: JsonPropertyName("step_in_epoch")] int StepInEpoch,
    [property: JsonPropertyName("global_step")] long GlobalStep,
    [property: JsonPropertyName("samples_seen")] long SamplesSeen)
{
    /// <summary>The start of training.</summary>
    public static TrainingPosition Start { get; } = new(0, 0, 0, 0);

    /// <summary>Checks that no count is negative.</summary>
    public void Validate()
    {
        if (Epoch < 0 || StepInEpoch < 0 || GlobalStep < 0 || SamplesSeen < 0)
            throw new ArgumentException($"A training position has no negative counts: {this}.");
    }
}
