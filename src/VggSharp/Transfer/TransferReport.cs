using System.Globalization;
using System.Text;
using VggSharp.Evaluation;
using VggSharp.Interop;
using VggSharp.Training;

namespace VggSharp.Transfer;

/// <summary>
/// A transfer experiment's report as one self-contained HTML page (the training report's style, no scripts): the mean
/// class recall and mAP with their standard deviations over the splits, the settings, each split's C and results,
/// each class's recall and average precision, and the confusion matrix summed over the splits.
/// </summary>
public static class TransferReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Writes the report to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, TransferResult result, IReadOnlyList<KeyValuePair<string, string>> settings)
    {
        byte[] html = Encoding.UTF8.GetBytes(Render(result, settings));
        AtomicFile.Write(path, stream => stream.Write(html));
    }

    /// <summary>The report as an HTML document; <paramref name="settings"/> are shown as given (models, data, options).</summary>
    public static string Render(TransferResult result, IReadOnlyList<KeyValuePair<string, string>> settings)
    {
        var html = new StringBuilder();
        html.Append($"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Transfer</title><style>{TrainingReport.Style}</style></head><body>\n");
        html.Append("<header><h1>Transfer: linear SVMs on deep features</h1></header>\n<section class=\"summary\">");
        var (recall, recallSd) = result.MeanClassRecall;
        var (eleven, elevenSd) = result.MeanElevenPointAp;
        var (area, areaSd) = result.MeanAreaAp;
        string over = $"over {result.Splits.Count} split{(result.Splits.Count == 1 ? "" : "s")}";
        Figure(html, "mean class recall", Percent(recall), $"± {Percent(recallSd)} {over}");
        Figure(html, "mAP (VOC-2007 11-point)", Percent(eleven), $"± {Percent(elevenSd)}");
        Figure(html, "mAP (area under PR curve)", Percent(area), $"± {Percent(areaSd)}");
        Figure(html, "descriptor", result.FeatureDimension.ToString(Invariant), $"{result.TestImages.ToString(Invariant)} test images");
        html.Append("</section>\n<section class=\"tables\"><div><h2>Settings</h2><table class=\"pairs\">");
        foreach (var (key, value) in settings) html.Append($"<tr><th>{Escape(key)}</th><td>{Escape(value)}</td></tr>");
        html.Append("</table></div><div><h2>Splits</h2><table class=\"data\"><tr><th>split</th><th>training images</th><th>C</th><th>mean class recall</th><th>mAP 11-point</th><th>mAP area</th></tr>");
        foreach (var split in result.Splits)
            html.Append(Invariant, $"<tr><td>{split.Split}</td><td>{split.TrainImages}</td><td>{split.C:G4}</td><td>{Percent(split.MeanClassRecall)}</td><td>{Percent(split.MeanElevenPointAp)}</td><td>{Percent(split.MeanAreaAp)}</td></tr>");
        html.Append("</table></div></section>\n");

        html.Append("<h2>Classes <span class=\"dim\">(means over the splits)</span></h2><table class=\"data\"><tr><th>class</th><th>recall</th><th>AP 11-point</th><th>AP area</th></tr>");
        for (int c = 0; c < result.ClassNames.Count; c++)
        {
            double classRecall = MeanOf(result.Splits.Select(s => s.Confusion.ClassAccuracy(c) ?? double.NaN));
            double classEleven = MeanOf(result.Splits.Select(s => s.ElevenPointAp[c]));
            double classArea = MeanOf(result.Splits.Select(s => s.AreaAp[c]));
            html.Append($"<tr><td>{Escape(result.ClassNames[c])}</td><td>{Percent(classRecall)}</td><td>{Percent(classEleven)}</td><td>{Percent(classArea)}</td></tr>");
        }
        html.Append("</table>\n");

        var confusion = new ConfusionMatrix(result.ClassNames);
        foreach (var split in result.Splits) confusion.Merge(split.Confusion);
        TrainingReport.AppendConfusion(html, confusion, $"test images, summed {over}");
        html.Append("</body></html>\n");
        return html.ToString();
    }

    private static double MeanOf(IEnumerable<double> values)
    {
        var defined = values.Where(v => !double.IsNaN(v)).ToList();
        return defined.Count == 0 ? double.NaN : defined.Average();
    }

    private static void Figure(StringBuilder html, string label, string value, string note) =>
        html.Append($"<div class=\"figure\"><div class=\"label\">{Escape(label)}</div><div class=\"value\">{Escape(value)}</div><div class=\"note\">{Escape(note)}</div></div>");

    private static string Escape(string text) => SvgLinePlot.Escape(text);

    private static string Percent(double fraction) => double.IsNaN(fraction) ? "n/a" : (fraction * 100).ToString("0.00", Invariant) + "%";
}
