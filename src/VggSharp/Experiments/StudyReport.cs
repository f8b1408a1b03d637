using System.Globalization;
using System.Net;
using System.Text;
using VggSharp.Interop;
using VggSharp.Models;
using VggSharp.Training;

namespace VggSharp.Experiments;

/// <summary>
/// A study's reports in its directory, named after it: table3.md (the tables and conclusions, for the README) and table3.html (one
/// self-contained page: the same, a plot of top-1 error against depth beside the paper's, every run with its time, the
/// machine and the command). Errors are in percent; ours are the mean ± the sample standard deviation over seeds.
/// </summary>
public static class StudyReport
{
    /// <summary>The HTML report's file name for the study of <paramref name="table"/>: "table3.html" (studies share a directory and its runs).</summary>
    public static string HtmlFileName(PaperTable table) => $"{table.ToString().ToLowerInvariant()}.html";

    /// <summary>The Markdown report's file name for the study of <paramref name="table"/>: "table3.md".</summary>
    public static string MarkdownFileName(PaperTable table) => $"{table.ToString().ToLowerInvariant()}.md";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Writes both reports atomically.</summary>
    public static void Write(StudyResult result)
    {
        byte[] markdown = Encoding.UTF8.GetBytes(RenderMarkdown(result));
        AtomicFile.Write(result.MarkdownPath, stream => stream.Write(markdown));
        byte[] html = Encoding.UTF8.GetBytes(RenderHtml(result));
        AtomicFile.Write(result.ReportPath, stream => stream.Write(html));
    }

    /// <summary>The Markdown report: settings, one table per paper table, the conclusions.</summary>
    public static string RenderMarkdown(StudyResult result)
    {
        var md = new StringBuilder();
        md.Append(Invariant, $"### VggSharp's reproduction of the paper's {TableName(result.Table)}\n\n");
        md.Append(Setting(result)).Append("\n\n");
        foreach (var group in result.Rows.GroupBy(r => r.Row.Table))
        {
            md.Append(Invariant, $"**{TableName(group.Key)}: {TableTitle(group.Key)}**\n\n");
            md.Append("| ConvNet (train S / test Q, paper's scales) | here (S / Q) | protocol | paper top-1 | paper top-5 | top-1 here | top-5 here | training per seed |\n");
            md.Append("|---|---|---|---:|---:|---:|---:|---:|\n");
            foreach (var row in group)
            {
                md.Append(Invariant, $"| {row.Row.Label} | {row.Row.LabelForCrop(result.Options.CropSize)} | {row.Row.ProtocolName} | {row.Row.Paper.Top1:0.0} | {row.Row.Paper.Top5:0.0} | ");
                md.Append(Invariant, $"{Percent(row.Top1)} | {Percent(row.Top5)} | {Duration(row.TrainingSeconds)} |\n");
            }
            md.Append('\n');
        }
        if (result.Conclusions.Count > 0)
        {
            md.Append("**The paper's conclusions here** (top-1 error; a difference counts when it exceeds sqrt(sd1² + sd2²) of the two rows over seeds):\n\n");
            md.Append("| conclusion | paper | here | differences here, points (noise) |\n|---|---|---|---|\n");
            foreach (var conclusion in result.Conclusions)
                md.Append(Invariant, $"| {conclusion.Claim} | {(conclusion.HoldsInPaper ? "holds" : "does not hold")} | {VerdictText(conclusion.Verdict)} | {Evidence(conclusion)} |\n");
            md.Append('\n');
        }
        return md.ToString();
    }

    /// <summary>The HTML report.</summary>
    public static string RenderHtml(StudyResult result)
    {
        var html = new StringBuilder();
        string title = Escape($"VggSharp: the paper's {TableName(result.Table)}, reproduced");
        html.Append($"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title><style>{TrainingReport.Style}</style></head><body>\n");
        html.Append($"<header><h1>{title}</h1><p class=\"status\">{Escape(Setting(result))}</p></header>\n");
        foreach (var group in result.Rows.GroupBy(r => r.Row.Table))
        {
            html.Append($"<h2>{Escape(TableName(group.Key))}: {Escape(TableTitle(group.Key))}</h2>\n<table class=\"data\"><tr><th>ConvNet (train S / test Q, paper's scales)</th><th>here (S / Q)</th>");
            html.Append("<th>protocol</th><th>paper top-1 %</th><th>paper top-5 %</th><th>top-1 % here</th><th>top-5 % here</th><th>per seed (top-1 %)</th><th>training per seed</th><th>evaluation per seed</th></tr>\n");
            foreach (var row in group)
            {
                string seeds = string.Join(", ", row.Seeds.Select(s => (s.Top1Error * 100).ToString("0.00", Invariant)));
                html.Append(Invariant, $"<tr><td>{Escape(row.Row.Label)}</td><td>{Escape(row.Row.LabelForCrop(result.Options.CropSize))}</td><td>{Escape(row.Row.ProtocolName)}</td>");
                html.Append(Invariant, $"<td>{row.Row.Paper.Top1:0.0}</td><td>{row.Row.Paper.Top5:0.0}</td><td>{Escape(Percent(row.Top1))}</td><td>{Escape(Percent(row.Top5))}</td>");
                html.Append(Invariant, $"<td>{seeds}</td><td>{Escape(Duration(row.TrainingSeconds))}</td><td>{Escape(Duration(row.EvaluationSeconds))}</td></tr>\n");
            }
            html.Append("</table>\n");
        }
        if (DepthPlots(result) is { } plots) html.Append("<h2>Top-1 error against depth (Table 3)</h2>\n<div class=\"plots\">").Append(plots).Append("</div>\n");
        if (result.Conclusions.Count > 0)
        {
            html.Append("<h2>The paper's conclusions here</h2>\n<p class=\"status\">Top-1 error. A difference between two rows counts when it exceeds the noise "
                + "sqrt(sd1² + sd2²) of their standard deviations over seeds; with one seed, the sign decides.</p>\n");
            html.Append("<table class=\"data\"><tr><th>conclusion</th><th>paper</th><th>here</th><th>differences here, points (noise)</th></tr>\n");
            foreach (var conclusion in result.Conclusions)
            {
                html.Append($"<tr><td>{Escape(conclusion.Claim)}</td><td>{(conclusion.HoldsInPaper ? "holds" : "does not hold")}</td>");
                html.Append($"<td><b>{VerdictText(conclusion.Verdict)}</b></td><td>{Escape(Evidence(conclusion))}</td></tr>\n");
            }
            html.Append("</table>\n");
        }
        html.Append("<h2>Runs</h2>\n<table class=\"data\"><tr><th>network</th><th>seed</th><th>run directory</th><th>epochs</th><th>training time</th><th>this invocation</th></tr>\n");
        foreach (var run in result.Runs)
        {
            string relative = Path.GetRelativePath(result.Options.OutputDirectory, Path.Combine(run.RunDirectory, TrainingReport.FileName)).Replace('\\', '/');
            html.Append(Invariant, $"<tr><td>{Escape(run.Variant.Label)}</td><td>{run.Seed}</td><td><a href=\"{Escape(relative)}\">{Escape(Path.GetFileName(run.RunDirectory))}</a></td>");
            html.Append(Invariant, $"<td>{run.Epochs}</td><td>{Escape(Duration(run.TrainingSeconds))}</td><td>{(run.Reused ? "reused" : "trained")}</td></tr>\n");
        }
        html.Append("</table>\n<h2>How</h2>\n<table class=\"pairs\">");
        foreach (var (name, value) in Details(result)) html.Append($"<tr><th>{Escape(name)}</th><td>{Escape(value)}</td></tr>");
        html.Append("</table>\n</body></html>\n");
        return html.ToString();
    }

    /// <summary>One line on what was run where.</summary>
    private static string Setting(StudyResult result)
    {
        var o = result.Options;
        string limit = o.Limit is { } n ? $" (first {n} training images)" : "";
        return string.Create(Invariant,
            $"{o.Data}{limit}, width {o.Width}, {o.Head.ToString().ToLowerInvariant()} head, {o.CropSize}x{o.CropSize} crops, {o.Epochs} epoch{(o.Epochs == 1 ? "" : "s")}, {o.Seeds} seed{(o.Seeds == 1 ? "" : "s")} per row, "
            + $"B to E {(o.Init == StudyInit.WarmStart ? "warm-started from A" : "from Glorot's random weights")}. {result.Machine}. "
            + $"Errors in %, mean ± sd over seeds; the paper's are ImageNet's (arXiv:1409.1556v6).");
    }

    private static IEnumerable<(string Name, string Value)> Details(StudyResult result)
    {
        var o = result.Options;
        var (s256, _) = TrainingScale.Fixed256.ForCrop(o.CropSize);
        var (s384, _) = TrainingScale.Fixed384.ForCrop(o.CropSize);
        var (jMin, jMax) = TrainingScale.Jittered.ForCrop(o.CropSize);
        yield return ("command", o.CommandLine ?? "(a library call)");
        yield return ("machine", result.Machine);
        yield return ("this invocation", Duration(result.Seconds));
        yield return ("scales", string.Create(Invariant,
            $"the paper's S (for 224 crops) times {o.CropSize}/224, rounded: S = 256 -> {s256}, 384 -> {s384}, [256;512] -> [{jMin};{jMax}]; test scales Q likewise (one: Q = S, or the middle of a jittered range; several: S ± 32 x {o.CropSize}/224, or its ends and middle)"));
        yield return ("recipe", string.Create(Invariant,
            $"the trainer's (SGD momentum 0.9, weight decay 5e-4, dropout 0.5, flips and colour shift), learning rate {o.LearningRate}, batch {o.BatchSize}, {o.Epochs} epochs, the last {Math.Min(2, o.Epochs / 3)} at a tenth of the rate, or earlier when validation accuracy stalls"));
        yield return ("initialisation", o.Init == StudyInit.WarmStart
            ? "A and A-LRN from Glorot's random weights; B to E take conv1_1, conv2_1, conv3_1, conv3_2 and fc6 to fc8 from the A at S = 256 of the same seed, the rest random (every training scale starts from that A)"
            : "every network from Glorot's random weights");
        yield return ("validation", o.ValidationLimit is { } v ? $"after each epoch, on the first {v} validation images" : "after each epoch, on the whole validation set");
        yield return ("evaluation", o.EffectiveEvaluationLimit is { } e ? $"the first {e} validation images" : "the whole validation set");
        yield return ("generated", DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", Invariant));
    }

    /// <summary>Top-1 error against weight layers, ours and the paper's, for A, B, D and E at S = 256 and D and E jittered; null without Table 3's rows.</summary>
    private static string? DepthPlots(StudyResult result)
    {
        var rows = result.Rows.Where(r => r.Row.Table == PaperTable.Table3).ToList();
        if (rows.Count == 0) return null;
        string[] deepening = ["A", "B", "D", "E"];
        int[] layers = [.. deepening.Select(c => VggConfiguration.Parse(c).WeightLayers)];
        double Value(string configuration, TrainingScale scale, Func<RowResult, double> pick) =>
            rows.FirstOrDefault(r => r.Row.Models[0] == new ModelVariant(configuration, scale)) is { } row ? pick(row) : double.NaN;
        IReadOnlyList<double> Line(TrainingScale scale, Func<RowResult, double> pick) => [.. deepening.Select(c => Value(c, scale, pick))];
        string Plot(string title, Func<RowResult, double> pick, string fixedName, string jitteredName) => SvgLinePlot.Render(title, layers,
            [new SvgLinePlot.Series(fixedName, "#1f6fb4", Line(TrainingScale.Fixed256, pick)), new SvgLinePlot.Series(jitteredName, "#d1495b", Line(TrainingScale.Jittered, pick))],
            logScale: false, v => v.ToString("0.#", Invariant), xLabel: "weight layers (A 11, B 13, D 16, E 19)");
        int crop = result.Options.CropSize;
        return Plot("here: top-1 error %, mean over seeds", r => r.Top1.Mean * 100, $"S = {TrainingScale.Fixed256.LabelForCrop(crop)}", $"S in {TrainingScale.Jittered.LabelForCrop(crop)}")
            + Plot("paper (ImageNet): top-1 error %", r => r.Row.Paper.Top1, "S = 256", "S in [256;512]");
    }

    /// <summary>Each comparison as "worse − better: difference (noise)", in points of top-1 error.</summary>
    private static string Evidence(Conclusion conclusion)
    {
        bool acrossTables = conclusion.Comparisons.Any(c => c.Better.Row.Table != c.Worse.Row.Table);
        return string.Join("; ", conclusion.Comparisons.Select(c => string.Create(Invariant,
            $"{Short(c.Worse.Row, acrossTables)} − {Short(c.Better.Row, acrossTables)}: {c.Difference * 100:+0.00;-0.00;0.00} ({c.Noise * 100:0.00})")));
    }

    /// <summary>A row's name in a comparison: the model, with the test scales when Tables 3 and 4 are compared, or the protocol from Table 5 on.</summary>
    private static string Short(StudyRow row, bool acrossTables) => row.Table switch
    {
        PaperTable.Table3 => row.Models[0].Label + (acrossTables ? ", one Q" : ""),
        PaperTable.Table4 => row.Models[0].Label + ", three Q",
        _ => string.Join(" + ", row.Models.Select(m => m.Configuration)) + ", " + row.ProtocolName,
    };

    private static string VerdictText(ClaimVerdict verdict) => verdict switch
    {
        ClaimVerdict.Holds => "holds",
        ClaimVerdict.WithinNoise => "within seed noise",
        _ => "does not hold",
    };

    private static string TableName(PaperTable table) => table switch
    {
        PaperTable.Table3 => "Table 3",
        PaperTable.Table4 => "Table 4",
        PaperTable.Table5 => "Table 5",
        _ => "Table 6",
    };

    private static string TableTitle(PaperTable table) => table switch
    {
        PaperTable.Table3 => "a single test scale (dense evaluation)",
        PaperTable.Table4 => "several test scales (dense evaluation)",
        PaperTable.Table5 => "dense, multi-crop and both (S in [256;512], three test scales)",
        _ => "the ensemble of D and E (S in [256;512], three test scales)",
    };

    private static string Percent(SeedStatistics s) =>
        s.Count > 1 ? string.Create(Invariant, $"{s.Mean * 100:0.00} ± {s.StandardDeviation * 100:0.00}") : string.Create(Invariant, $"{s.Mean * 100:0.00}");

    private static string Duration(double seconds)
    {
        var t = TimeSpan.FromSeconds(Math.Max(0, seconds));
        return t.TotalHours >= 1 ? $"{(int)t.TotalHours} h {t.Minutes} min" : t.TotalMinutes >= 1 ? $"{t.Minutes} min {t.Seconds} s" : string.Create(Invariant, $"{seconds:0.0} s");
    }

    private static string Escape(string text) => WebUtility.HtmlEncode(text);
}
