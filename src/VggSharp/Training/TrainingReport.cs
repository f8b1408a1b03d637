using System.Globalization;
using System.Text;
using VggSharp.Evaluation;
using VggSharp.Interop;

namespace VggSharp.Training;

/// <summary>
/// The run's report, report.html in the run directory: one self-contained page (inline CSS and SVG, no scripts, no
/// external resources) with the configuration and options, the final and best errors, plots of training loss,
/// top-1 and top-5 errors and the learning rate per epoch, the latest confusion matrix with per-class accuracy, and
/// the table of epochs. Every text from outside (class names come from folder names) is HTML-escaped.
/// </summary>
public static class TrainingReport
{
    /// <summary>The report's file name in the run directory.</summary>
    public const string FileName = "report.html";

    private const int ConfusionsListed = 10;
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Writes the report into <paramref name="runDirectory"/> atomically, so a browser never shows half a page.</summary>
    public static void Write(string runDirectory, TrainingReportContent content)
    {
        FileErrors.CreateDirectory(runDirectory);
        byte[] html = Encoding.UTF8.GetBytes(Render(content));
        AtomicFile.Write(Path.Combine(runDirectory, FileName), stream => stream.Write(html));
    }

    /// <summary>The report as an HTML document.</summary>
    public static string Render(TrainingReportContent content)
    {
        var html = new StringBuilder();
        string title = Escape(content.Title);
        html.Append($"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title><style>{Style}</style></head><body>\n");
        html.Append($"<header><h1>{title}</h1>");
        if (content.Status is not null) html.Append($"<p class=\"status\">{Escape(content.Status)}</p>");
        html.Append("</header>\n");
        AppendSummary(html, content.Epochs);
        html.Append("<section class=\"tables\">");
        AppendPairs(html, "Configuration", content.Configuration);
        AppendPairs(html, "Options", content.Options);
        html.Append("</section>\n");
        AppendPlots(html, content.Epochs);
        if (content.Confusion is not null) AppendConfusion(html, content.Confusion, "validation");
        AppendEpochTable(html, content.Epochs);
        html.Append("</body></html>\n");
        return html.ToString();
    }

    private static void AppendSummary(StringBuilder html, IReadOnlyList<EpochMetrics> epochs)
    {
        html.Append("<section class=\"summary\">");
        if (epochs.Count == 0)
        {
            html.Append("<p>No epoch has finished yet.</p></section>\n");
            return;
        }
        var last = epochs[^1];
        var best = epochs.MinBy(e => e.ValTop1Error)!;
        Figure(html, "val top-1 error", Percent(last.ValTop1Error), $"epoch {last.Epoch}");
        Figure(html, "val top-5 error", Percent(last.ValTop5Error), $"epoch {last.Epoch}");
        Figure(html, "best val top-1 error", Percent(best.ValTop1Error), $"epoch {best.Epoch}");
        Figure(html, "train loss", last.TrainLoss.ToString("0.0000", Invariant), $"top-1 error {Percent(last.TrainTop1Error)}");
        Figure(html, "learning rate", Rate(last.LearningRate), $"{epochs.Count} epochs");
        Figure(html, "time", Duration(epochs.Sum(e => e.Seconds)), $"{last.ImagesPerSecond.ToString("0.0", Invariant)} img/s last epoch");
        long skipped = epochs.Sum(e => e.SkippedImages);
        if (skipped > 0) Figure(html, "skipped images", skipped.ToString(Invariant), "unreadable, over all epochs");
        html.Append("</section>\n");
    }

    private static void Figure(StringBuilder html, string label, string value, string note) =>
        html.Append($"<div class=\"figure\"><div class=\"label\">{Escape(label)}</div><div class=\"value\">{Escape(value)}</div><div class=\"note\">{Escape(note)}</div></div>");

    private static void AppendPairs(StringBuilder html, string heading, IReadOnlyList<KeyValuePair<string, string>> pairs)
    {
        if (pairs.Count == 0) return;
        html.Append($"<div><h2>{Escape(heading)}</h2><table class=\"pairs\">");
        foreach (var (key, value) in pairs) html.Append($"<tr><th>{Escape(key)}</th><td>{Escape(value)}</td></tr>");
        html.Append("</table></div>");
    }

    private static void AppendPlots(StringBuilder html, IReadOnlyList<EpochMetrics> epochs)
    {
        var x = epochs.Select(e => e.Epoch).ToList();
        html.Append("<h2>Training curves</h2><section class=\"plots\">");
        html.Append(SvgLinePlot.Render("Training loss", x,
            [new("train loss", Colors.Train, epochs.Select(e => e.TrainLoss).ToList())], logScale: false, v => v.ToString("0.###", Invariant)));
        html.Append(SvgLinePlot.Render("Top-1 error", x,
            [new("train", Colors.Train, epochs.Select(e => e.TrainTop1Error).ToList()), new("validation", Colors.Validation, epochs.Select(e => e.ValTop1Error).ToList())],
            logScale: false, PercentTick));
        html.Append(SvgLinePlot.Render("Validation top-5 error", x,
            [new("validation top-5", Colors.Top5, epochs.Select(e => e.ValTop5Error).ToList())], logScale: false, PercentTick));
        html.Append(SvgLinePlot.Render("Learning rate (log scale)", x,
            [new("lr", Colors.LearningRate, epochs.Select(e => e.LearningRate).ToList())], logScale: true, Rate));
        html.Append("</section>\n");
    }

    /// <summary>The confusion matrix's heatmap, per-class accuracy and most frequent confusions; <paramref name="images"/> says which images it counts.</summary>
    internal static void AppendConfusion(StringBuilder html, ConfusionMatrix matrix, string images)
    {
        html.Append($"<h2>Confusion matrix <span class=\"dim\">({Escape(images)}, {matrix.Total.ToString(Invariant)} images, top-1 error {Percent(matrix.Top1Error)})</span></h2>");
        html.Append("<section class=\"confusion\"><div class=\"heatmap\">").Append(SvgConfusionHeatmap.Render(matrix)).Append("</div><div>");

        var classes = Enumerable.Range(0, matrix.Classes).Where(c => matrix.ClassTotal(c) > 0).OrderBy(c => matrix.ClassAccuracy(c)).ThenBy(c => c).ToList();
        bool all = matrix.Classes <= SvgConfusionHeatmap.LabelledClasses;
        html.Append($"<h3>{(all ? "Per-class accuracy" : $"The {ConfusionsListed} least accurate classes")}</h3><table class=\"data\"><tr><th>class</th><th>images</th><th>accuracy</th></tr>");
        foreach (int c in all ? classes : classes.Take(ConfusionsListed))
        {
            double accuracy = matrix.ClassAccuracy(c)!.Value;
            html.Append($"<tr><td>{Escape(matrix.ClassNames[c])}</td><td>{matrix.ClassTotal(c).ToString(Invariant)}</td><td><span class=\"bar\" style=\"width:{(accuracy * 60).ToString("0.#", Invariant)}px\"></span>{Percent(accuracy)}</td></tr>");
        }
        html.Append("</table>");

        var confusions = Enumerable.Range(0, matrix.Classes)
            .SelectMany(a => Enumerable.Range(0, matrix.Classes).Where(p => p != a && matrix[a, p] > 0).Select(p => (Actual: a, Predicted: p, Count: matrix[a, p])))
            .OrderByDescending(c => c.Count).ThenBy(c => c.Actual).ThenBy(c => c.Predicted).Take(ConfusionsListed).ToList();
        if (confusions.Count > 0)
        {
            html.Append("<h3>Most frequent confusions</h3><table class=\"data\"><tr><th>true class</th><th>predicted as</th><th>images</th><th>of the class</th></tr>");
            foreach (var (a, p, count) in confusions)
                html.Append($"<tr><td>{Escape(matrix.ClassNames[a])}</td><td>{Escape(matrix.ClassNames[p])}</td><td>{count.ToString(Invariant)}</td><td>{Percent((double)count / matrix.ClassTotal(a))}</td></tr>");
            html.Append("</table>");
        }
        html.Append("</div></section>\n");
    }

    private static void AppendEpochTable(StringBuilder html, IReadOnlyList<EpochMetrics> epochs)
    {
        if (epochs.Count == 0) return;
        html.Append("<h2>Epochs</h2><table class=\"data epochs\"><tr><th>epoch</th><th>train loss</th><th>train top-1</th><th>val top-1</th><th>val top-5</th><th>lr</th><th>img/s</th><th>time</th><th>skipped</th></tr>");
        foreach (var e in epochs)
        {
            html.Append(Invariant, $"<tr><td>{e.Epoch}</td><td>{e.TrainLoss:0.0000}</td><td>{Percent(e.TrainTop1Error)}</td><td>{Percent(e.ValTop1Error)}</td><td>{Percent(e.ValTop5Error)}</td>");
            html.Append(Invariant, $"<td>{Rate(e.LearningRate)}</td><td>{e.ImagesPerSecond:0.0}</td><td>{Duration(e.Seconds)}</td><td>{e.SkippedImages}</td></tr>");
        }
        html.Append("</table>\n");
    }

    private static string Escape(string text) => SvgLinePlot.Escape(text);

    private static string Percent(double fraction) => (fraction * 100).ToString("0.00", Invariant) + "%";

    private static string PercentTick(double fraction) => (fraction * 100).ToString("0.##", Invariant) + "%";

    /// <summary>A learning rate in plain decimals (0.0001 rather than 1E-04), as people write them.</summary>
    private static string Rate(double rate) => rate.ToString(rate >= 1e-9 ? "0.##########" : "G3", Invariant);

    private static string Duration(double seconds)
    {
        var t = TimeSpan.FromSeconds(seconds);
        return t.TotalHours >= 1 ? $"{(int)t.TotalHours}h {t.Minutes:00}m" : t.TotalMinutes >= 1 ? $"{t.Minutes}m {t.Seconds:00}s" : $"{t.TotalSeconds.ToString("0.0", Invariant)}s";
    }

    private static class Colors
    {
        public const string Train = "#e07a1f";
        public const string Validation = "#1f6fb4";
        public const string Top5 = "#2a9d6f";
        public const string LearningRate = "#7b4fb0";
    }

    /// <summary>The reports' style sheet, shared by the study and transfer reports.</summary>
    internal const string Style = """
        body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1a1a2e;background:#f6f7fb;margin:0 auto;padding:24px 32px;max-width:1160px;font-size:14px}
        h1{font-size:24px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 10px}h3{font-size:14px;margin:18px 0 8px}.confusion h3:first-child{margin-top:4px}
        .status{color:#555;margin:0}.dim{color:#777;font-weight:normal;font-size:14px}
        .summary{display:flex;flex-wrap:wrap;gap:12px;margin-top:18px}
        .figure{background:#fff;border:1px solid #e2e4ee;border-radius:8px;padding:10px 16px;min-width:140px}
        .figure .label{color:#666;font-size:12px;text-transform:uppercase;letter-spacing:.04em}.figure .value{font-size:22px;font-weight:600;margin:2px 0}.figure .note{color:#777;font-size:12px}
        .tables{display:flex;flex-wrap:wrap;gap:32px}
        table{border-collapse:collapse;background:#fff}th,td{padding:4px 10px;border-bottom:1px solid #eceef4;text-align:left;vertical-align:top}
        table.pairs th{color:#555;font-weight:500}table.data th{background:#eef0f7;font-weight:600}
        table.epochs td{text-align:right;font-variant-numeric:tabular-nums}
        .plots{display:grid;grid-template-columns:repeat(2,540px);gap:16px}
        svg{background:#fff;border:1px solid #e2e4ee;border-radius:8px}
        .plot-title{font-size:14px;font-weight:600;fill:#1a1a2e}.tick{font-size:11px;fill:#555}.legend{font-size:12px;fill:#333}.axis-label{font-size:12px;fill:#555}
        .grid{stroke:#e8eaf1;stroke-width:1}.axis{stroke:#888}.frame{fill:none;stroke:#c9ccd8}.cell{font-size:11px}
        .confusion{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}
        .bar{display:inline-block;height:9px;background:#1f6fb4;border-radius:2px;margin-right:6px;vertical-align:middle}
        """;
}
