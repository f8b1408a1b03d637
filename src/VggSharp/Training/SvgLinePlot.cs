using System.Globalization;
using System.Net;
using System.Text;

namespace VggSharp.Training;

/// <summary>A small self-contained SVG line chart over whole-number x values (epochs by default): linear or log10 y axis, gridlines, legend.</summary>
internal static class SvgLinePlot
{
    private const int Width = 540, Height = 300, Left = 62, Right = 16, Top = 34, Bottom = 44;
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>One line: a legend name, a CSS colour and one y value per x (NaN or infinity leaves a gap).</summary>
    public sealed record Series(string Name, string Color, IReadOnlyList<double> Values);

    /// <summary>
    /// Renders <paramref name="series"/> against epochs <paramref name="epochs"/> (or the x values <paramref name="xLabel"/>
    /// names). A linear axis starts at 0; <paramref name="format"/> labels the y ticks.
    /// </summary>
    public static string Render(string title, IReadOnlyList<int> epochs, IReadOnlyList<Series> series, bool logScale, Func<double, string> format,
        string xLabel = "epoch")
    {
        var values = series.SelectMany(s => s.Values).Where(v => double.IsFinite(v) && (!logScale || v > 0)).ToList();
        double xMin = epochs.Count > 0 ? epochs.Min() : 0, xMax = epochs.Count > 0 ? epochs.Max() : 1;
        if (xMax - xMin < 1) (xMin, xMax) = (xMin - 1, xMax + 1);
        var (yMin, yMax, yTicks) = logScale ? LogAxis(values) : LinearAxis(values);

        double plotWidth = Width - Left - Right, plotHeight = Height - Top - Bottom;
        double X(double x) => Left + (x - xMin) / (xMax - xMin) * plotWidth;
        double Y(double y) => Top + plotHeight - ((logScale ? Math.Log10(y) : y) - yMin) / (yMax - yMin) * plotHeight;

        var svg = new StringBuilder();
        svg.Append(Invariant, $"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" role=\"img\" aria-label=\"{Escape(title)}\">");
        svg.Append(Invariant, $"<text x=\"{Left}\" y=\"20\" class=\"plot-title\">{Escape(title)}</text>");
        foreach (double tick in yTicks)
        {
            double y = Y(logScale ? Math.Pow(10, tick) : tick);
            svg.Append(Invariant, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{y:0.##}\" y2=\"{y:0.##}\" class=\"grid\"/>");
            svg.Append(Invariant, $"<text x=\"{Left - 6}\" y=\"{y + 4:0.##}\" text-anchor=\"end\" class=\"tick\">{Escape(format(logScale ? Math.Pow(10, tick) : tick))}</text>");
        }
        foreach (double tick in IntegerTicks(xMin, xMax))
        {
            double x = X(tick);
            svg.Append(Invariant, $"<line x1=\"{x:0.##}\" x2=\"{x:0.##}\" y1=\"{Top + plotHeight}\" y2=\"{Top + plotHeight + 4}\" class=\"axis\"/>");
            svg.Append(Invariant, $"<text x=\"{x:0.##}\" y=\"{Top + plotHeight + 17}\" text-anchor=\"middle\" class=\"tick\">{tick}</text>");
        }
        svg.Append(Invariant, $"<rect x=\"{Left}\" y=\"{Top}\" width=\"{plotWidth}\" height=\"{plotHeight}\" class=\"frame\"/>");
        svg.Append(Invariant, $"<text x=\"{Left + plotWidth / 2}\" y=\"{Height - 6}\" text-anchor=\"middle\" class=\"axis-label\">{Escape(xLabel)}</text>");

        double legendX = Width - Right;
        for (int s = series.Count - 1; s >= 0; s--)
        {
            // Right-aligned legend entries, last one first; a rough 6.5 px per character is enough to space them.
            legendX -= series[s].Name.Length * 6.5 + 26;
            svg.Append(Invariant, $"<line x1=\"{legendX:0.#}\" x2=\"{legendX + 14:0.#}\" y1=\"16\" y2=\"16\" stroke=\"{series[s].Color}\" stroke-width=\"2.5\"/>");
            svg.Append(Invariant, $"<text x=\"{legendX + 18:0.#}\" y=\"20\" class=\"legend\">{Escape(series[s].Name)}</text>");
        }

        foreach (var line in series)
        {
            var path = new StringBuilder();
            bool pen = false;
            for (int i = 0; i < epochs.Count && i < line.Values.Count; i++)
            {
                double v = line.Values[i];
                if (!double.IsFinite(v) || (logScale && v <= 0)) { pen = false; continue; }
                path.Append(Invariant, $"{(pen ? 'L' : 'M')}{X(epochs[i]):0.##},{Y(v):0.##}");
                pen = true;
                svg.Append(Invariant, $"<circle cx=\"{X(epochs[i]):0.##}\" cy=\"{Y(v):0.##}\" r=\"2.5\" fill=\"{line.Color}\"/>");
            }
            if (path.Length > 0) svg.Append(Invariant, $"<path d=\"{path}\" fill=\"none\" stroke=\"{line.Color}\" stroke-width=\"2\" stroke-linejoin=\"round\"/>");
        }
        if (values.Count == 0) svg.Append(Invariant, $"<text x=\"{Left + plotWidth / 2}\" y=\"{Top + plotHeight / 2}\" text-anchor=\"middle\" class=\"tick\">no data yet</text>");
        svg.Append("</svg>");
        return svg.ToString();
    }

    internal static string Escape(string text) => WebUtility.HtmlEncode(text);

    /// <summary>From 0 to a round number above the largest value, in 1, 2 or 5 times a power of ten.</summary>
    private static (double Min, double Max, List<double> Ticks) LinearAxis(List<double> values)
    {
        double max = values.Count > 0 ? Math.Max(values.Max(), 0) : 1;
        double min = values.Count > 0 ? Math.Min(values.Min(), 0) : 0;
        if (max - min <= 0) max = min + 1;
        double step = NiceStep((max - min) / 5);
        double lo = Math.Floor(min / step) * step, hi = Math.Ceiling(max / step) * step;
        var ticks = new List<double>();
        for (int i = 0; lo + i * step <= hi + step / 2; i++) ticks.Add(lo + i * step);
        return (lo, hi, ticks);
    }

    /// <summary>Whole decades around the values; the bounds and ticks are log10 values.</summary>
    private static (double Min, double Max, List<double> Ticks) LogAxis(List<double> values)
    {
        double lo = values.Count > 0 ? Math.Floor(Math.Log10(values.Min()) + 1e-9) : -3;
        double hi = values.Count > 0 ? Math.Ceiling(Math.Log10(values.Max()) - 1e-9) : -1;
        if (hi <= lo) hi = lo + 1;
        var ticks = new List<double>();
        for (double t = lo; t <= hi; t++) ticks.Add(t);
        return (lo, hi, ticks);
    }

    private static double NiceStep(double rough)
    {
        double power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        double fraction = rough / power;
        return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
    }

    private static IEnumerable<int> IntegerTicks(double min, double max)
    {
        int step = Math.Max(1, (int)NiceStep((max - min) / 8));
        for (int t = (int)Math.Ceiling(min / step) * step; t <= max; t += step)
        {
            if (t >= min) yield return t;
        }
    }
}
