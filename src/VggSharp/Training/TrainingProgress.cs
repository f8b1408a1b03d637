namespace VggSharp.Training;

/// <summary>
/// What a training run reports as it goes, to an <see cref="IProgress{T}"/> given to <see cref="Trainer"/>: the start
/// of an epoch, each step, each epoch's figures and messages in words. <see cref="ProgressReporter"/> prints them;
/// a caller of its own may watch only <see cref="EpochFinished"/>. In a data-parallel job the figures are the whole job's.
/// </summary>
public abstract record TrainingProgress
{
    private TrainingProgress()
    {
    }

    /// <summary>Epoch <paramref name="Epoch"/> (from 1) of <paramref name="Epochs"/> starts; it has <paramref name="Steps"/> steps, of which a resumed epoch has done <paramref name="FirstStep"/>.</summary>
    public sealed record EpochStarted(int Epoch, int Epochs, int Steps, int FirstStep) : TrainingProgress;

    /// <summary>A step finished: its <paramref name="Images"/>, their mean loss and how many were classified correctly (top-1).</summary>
    public sealed record StepFinished(int Images, double MeanLoss, int Correct) : TrainingProgress;

    /// <summary>An epoch finished and was validated; its figures are also a line of metrics.jsonl.</summary>
    public sealed record EpochFinished(EpochMetrics Metrics) : TrainingProgress;

    /// <summary>Something worth a line of its own: a skipped image, a learning-rate change, a resume.</summary>
    public sealed record Message(string Text) : TrainingProgress;
}
