namespace VggSharp.Experiments;

/// <summary>What a study produced: its rows over the seeds, the networks it trained or reused, the conclusions and the reports.</summary>
/// <param name="Table">The study.</param>
/// <param name="Options">Its options.</param>
/// <param name="Rows">Each row's results, in the plan's order.</param>
/// <param name="Runs">Every network the rows use, in training order.</param>
/// <param name="Conclusions">The paper's conclusions the rows can test.</param>
/// <param name="Machine">The machine and device, in words.</param>
/// <param name="Seconds">The wall-clock seconds of this invocation (reused runs and evaluations cost nothing here).</param>
/// <param name="ReportPath">report.html in the study's directory.</param>
/// <param name="MarkdownPath">report.md in the study's directory.</param>
public sealed record StudyResult(PaperTable Table, ExperimentOptions Options, IReadOnlyList<RowResult> Rows, IReadOnlyList<StudyRunRecord> Runs,
    IReadOnlyList<Conclusion> Conclusions, string Machine, double Seconds, string ReportPath, string MarkdownPath);
