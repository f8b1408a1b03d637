using System.Globalization;
using System.Text;
using VggSharp.Evaluation;

namespace VggSharp.Training;

/// <summary>
/// A confusion matrix as an SVG heatmap: rows are true classes, columns predictions, each cell shaded by the share of
/// its row. Up to <see cref="LabelledClasses"/> classes get names and counts; beyond that, cells shrink to a pixel or
/// two and only non-empty ones are drawn, so 1000 ImageNet classes stay a reasonable size.
/// </summary>
internal static class SvgConfusionHeatmap
{
    /// <summary>The most classes drawn with names on the axes.</summary>
    public const int LabelledClasses = 40;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Render(ConfusionMatrix matrix)
    {
        int n = matrix.Classes;
        bool labelled = n <= LabelledClasses;
        double cell = labelled ? Math.Clamp(640.0 / n, 16, 40) : Math.Max(0.8, 900.0 / n);
        int longest = labelled ? matrix.ClassNames.Max(name => Math.Min(name.Length, 24)) : 0;
        double left = labelled ? 30 + longest * 6.6 : 30, top = labelled ? 30 + longest * 4.8 : 30;
        // Column names are rotated 50 degrees, so the last ones reach past the matrix by about cos(50°) of their length.
        double width = left + n * cell + 10 + longest * 6.6 * 0.64, height = top + n * cell + 10;
        bool counts = labelled && cell >= 26;

        var svg = new StringBuilder();
        svg.Append(Invariant, $"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width:0.#} {height:0.#}\" width=\"{width:0.#}\" height=\"{height:0.#}\" role=\"img\" aria-label=\"confusion matrix\">");
        svg.Append(Invariant, $"<text x=\"{left + n * cell / 2:0.#}\" y=\"12\" text-anchor=\"middle\" class=\"axis-label\">predicted class</text>");
        svg.Append(Invariant, $"<text transform=\"translate(12 {top + n * cell / 2:0.#}) rotate(-90)\" text-anchor=\"middle\" class=\"axis-label\">true class</text>");
        svg.Append(Invariant, $"<rect x=\"{left}\" y=\"{top:0.#}\" width=\"{n * cell:0.#}\" height=\"{n * cell:0.#}\" class=\"frame\"/>");
        for (int a = 0; a < n; a++)
        {
            long rowTotal = matrix.ClassTotal(a);
            if (labelled)
            {
                string name = SvgLinePlot.Escape(Shorten(matrix.ClassNames[a]));
                svg.Append(Invariant, $"<text x=\"{left - 5:0.#}\" y=\"{top + (a + 0.5) * cell + 4:0.#}\" text-anchor=\"end\" class=\"tick\">{name}</text>");
                svg.Append(Invariant, $"<text transform=\"translate({left + (a + 0.5) * cell + 4:0.#} {top - 5:0.#}) rotate(-50)\" class=\"tick\">{name}</text>");
            }
            for (int p = 0; p < n; p++)
            {
                long count = matrix[a, p];
                if (count == 0) continue;
                double share = (double)count / rowTotal;
                string title = SvgLinePlot.Escape($"{matrix.ClassNames[a]} → {matrix.ClassNames[p]}: {count.ToString(Invariant)} ({(share * 100).ToString("0.0", Invariant)}%)");
                svg.Append(Invariant, $"<rect x=\"{left + p * cell:0.##}\" y=\"{top + a * cell:0.##}\" width=\"{cell:0.##}\" height=\"{cell:0.##}\" fill=\"{Shade(share)}\"><title>{title}</title></rect>");
                if (counts)
                    svg.Append(Invariant, $"<text x=\"{left + (p + 0.5) * cell:0.#}\" y=\"{top + (a + 0.5) * cell + 4:0.#}\" text-anchor=\"middle\" class=\"cell\" fill=\"{(share > 0.5 ? "#fff" : "#1a1a2e")}\">{count}</text>");
            }
        }
        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>White to deep blue by the share of the row, so a perfect classifier shows a dark diagonal.</summary>
    private static string Shade(double share)
    {
        // A square root spreads the small off-diagonal shares, which are the interesting ones, over more of the scale.
        double t = Math.Sqrt(share);
        int r = (int)Math.Round(239 + (8 - 239) * t), g = (int)Math.Round(243 + (69 - 243) * t), b = (int)Math.Round(255 + (148 - 255) * t);
        return string.Create(Invariant, $"rgb({r},{g},{b})");
    }

    private static string Shorten(string name) => name.Length <= 24 ? name : name[..23] + "…";
}
