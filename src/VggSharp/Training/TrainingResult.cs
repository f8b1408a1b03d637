namespace VggSharp.Training;

/// <summary>What a finished (or stopped) run produced.</summary>
/// <param name="RunDirectory">The run directory.</param>
/// <param name="ModelPath">The final weights (model.safetensors).</param>
/// <param name="ReportPath">The report (report.html).</param>
/// <param name="Epochs">Epochs completed.</param>
/// <param name="ValidationTop1Error">Validation top-1 error after the last epoch (a fraction).</param>
/// <param name="ValidationTop5Error">Validation top-5 error after the last epoch (a fraction).</param>
/// <param name="StopReason">Why training ended: the epoch limit or the learning-rate schedule's plateau.</param>
public sealed record TrainingResult(string RunDirectory, string ModelPath, string ReportPath, int Epochs,
    double ValidationTop1Error, double ValidationTop5Error, string StopReason);
