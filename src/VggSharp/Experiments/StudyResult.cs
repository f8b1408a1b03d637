namespace VggSharp.Experiments;

/// <summary>What a study produced: its rows over the seeds, the networks it trained or reused, the conclusions and the reports.</summary>
/// <param name="Table">The study.</param>
/// <param name="Options">Its options.</param>
/// <param name="Rows">Each row's results, in the plan's order.</param>
/// <param name="Runs">Every network the rows use, in training order.</param>
/// <param name="Conclusions">The paper's conclusions the rows can test.</param>
/// <param name="Machine">The machine and device, in words.</param>
/// <param name="Seconds">The wall-clock seconds of this invocation (reused runs and evaluations cost nothing here).</param>
/// <param name="ReportPath">The HTML report in the study's directory (table3.html for Table 3's).</param>
/// <param name="MarkdownPath">The Markdown report in the study's directory (table3.md).</param>
public sealed record StudyResult(PaperTable Table, ExperimentOptions Options, IReadOnlyList<RowResult> Rows, IReadOnlyList<StudyRunRecord> Runs,
    IReadOnlyList<Conclusion> Conclusions, string Machine, double Seconds, string ReportPath, string MarkdownPath);
