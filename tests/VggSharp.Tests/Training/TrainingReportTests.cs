using System.Text.RegularExpressions;
using System.Xml.Linq;
using VggSharp.Evaluation;
using VggSharp.Tests.Interop;
using VggSharp.Training;
using Xunit;

namespace VggSharp.Tests.Training;

public class TrainingReportTests
{
    private static TrainingReportContent Content(int classes = 3)
    {
        var names = Enumerable.Range(0, classes).Select(i => i == 1 ? "<script>alert('x')</script>" : $"class & {i}").ToArray();
        var matrix = new ConfusionMatrix(names);
        for (int a = 0; a < classes; a++)
        for (int p = 0; p < classes; p++)
            for (int n = 0; n < (a == p ? 8 : (a + p) % 3); n++) matrix.Add(a, p);
        return new TrainingReportContent
        {
            Title = "Run <1>",
            Status = "epoch 3 of 74",
            Configuration = [new("configuration", "D"), new("classes", classes.ToString())],
            Options = [new("batch size", "256"), new("options", "{\"a\":\"<b>\"}")],
            Epochs = [MetricsLogTests.Epoch(1), MetricsLogTests.Epoch(2), MetricsLogTests.Epoch(3, lr: 0.001)],
            Confusion = matrix,
        };
    }

    private static List<string> Svgs(string html) => Regex.Matches(html, "<svg.*?</svg>", RegexOptions.Singleline).Select(m => m.Value).ToList();

    [Fact]
    public void TheReportHasThePlotsAndTheConfusionMatrixAsWellFormedSvg()
    {
        string html = TrainingReport.Render(Content());

        var svgs = Svgs(html);
        Assert.Equal(5, svgs.Count);
        foreach (string svg in svgs) XDocument.Parse(svg);
        foreach (string title in new[] { "Training loss", "Top-1 error", "Validation top-5 error", "Learning rate (log scale)" })
            Assert.Contains($">{title}</text>", html);
        Assert.Contains("aria-label=\"confusion matrix\"", html);
        Assert.StartsWith("<!DOCTYPE html>", html);
    }

    [Fact]
    public void AllOutsideTextIsEscaped()
    {
        string html = TrainingReport.Render(Content());

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;", html);
        Assert.Contains("class &amp; 0", html);
        Assert.Contains("Run &lt;1&gt;", html);
        Assert.Contains("{&quot;a&quot;:&quot;&lt;b&gt;&quot;}", html);
    }

    [Fact]
    public void TheReportNeedsNothingFromOutside()
    {
        string html = TrainingReport.Render(Content());

        Assert.DoesNotContain("src=", html);
        Assert.DoesNotContain("href=", html);
        Assert.DoesNotContain("<link", html);
        Assert.DoesNotContain("url(", html);
    }

    [Fact]
    public void TheHeaderShowsTheFinalAndBestErrors()
    {
        string html = TrainingReport.Render(Content());

        // Epoch 3: val top-1 0.95 / 3, top-5 0.7 / 3; the learning rate in plain decimals.
        Assert.Contains("31.67%", html);
        Assert.Contains("23.33%", html);
        Assert.Contains(">0.001<", html);
        Assert.Contains("epoch 3 of 74", html);
    }

    [Fact]
    public void ManyClassesGiveAnUnlabelledHeatmapAndTheLeastAccurateClasses()
    {
        string html = TrainingReport.Render(Content(classes: 120));

        Assert.Equal(5, Svgs(html).Count);
        Assert.Contains("The 10 least accurate classes", html);
        Assert.Contains("Most frequent confusions", html);
    }

    [Fact]
    public void ARunWithoutEpochsStillRenders()
    {
        string html = TrainingReport.Render(new TrainingReportContent());

        Assert.Contains("No epoch has finished yet.", html);
        Assert.Equal(4, Svgs(html).Count);
        Assert.Contains("no data yet", html);
    }

    [Fact]
    public void WriteReplacesTheReportAtomically()
    {
        using var directory = new TemporaryDirectory();
        TrainingReport.Write(directory.Path, new TrainingReportContent());
        TrainingReport.Write(directory.Path, Content());

        Assert.Equal([TrainingReport.FileName], Directory.EnumerateFiles(directory.Path).Select(Path.GetFileName));
        Assert.Equal(TrainingReport.Render(Content()), File.ReadAllText(Path.Combine(directory.Path, TrainingReport.FileName)));
    }
}
