namespace VggSharp.Experiments;

/// <summary>A row's results over the seeds.</summary>
/// <param name="Row">The row.</param>
/// <param name="Seeds">Each seed's evaluation, in seed order.</param>
/// <param name="TrainingSeconds">The mean over seeds of the training time of the row's networks (summed for an ensemble).</param>
public sealed record RowResult(StudyRow Row, IReadOnlyList<RowEvaluation> Seeds, double TrainingSeconds)
{
    /// <summary>Top-1 error over the seeds.</summary>
    public SeedStatistics Top1 => SeedStatistics.Of(Seeds.Select(s => s.Top1Error).ToList());

    /// <summary>Top-5 error over the seeds.</summary>
    public SeedStatistics Top5 => SeedStatistics.Of(Seeds.Select(s => s.Top5Error).ToList());

    /// <summary>The mean evaluation time over seeds.</summary>
    public double EvaluationSeconds => Seeds.Average(s => s.Seconds);
}
