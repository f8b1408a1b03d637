using System.Text.Json;
using VggSharp.Transfer;
using Xunit;

namespace VggSharp.Tests.Transfer;

public class AveragePrecisionTests
{
    [Fact]
    public void AKnownRankingHasItsHandComputedPrecisions()
    {
        // Positives at ranks 1, 3 and 6: precisions 1, 2/3 and 1/2 at recalls 1/3, 2/3 and 1.
        double[] scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4];
        bool[] positive = [true, false, true, false, false, true];

        Assert.Equal((1 + 2.0 / 3 + 0.5) / 3, AveragePrecision.Area(scores, positive), 15);
        // Recall levels 0 to 0.3 reach precision 1, 0.4 to 0.6 reach 2/3, 0.7 to 1 reach 1/2.
        Assert.Equal((4 * 1 + 3 * (2.0 / 3) + 4 * 0.5) / 11, AveragePrecision.ElevenPoint(scores, positive), 15);
    }

    [Fact]
    public void APerfectRankingScoresOneAndNoPositiveIsUndefined()
    {
        double[] scores = [3, 2, 1];
        Assert.Equal(1, AveragePrecision.Area(scores, [true, true, false]));
        Assert.Equal(1, AveragePrecision.ElevenPoint(scores, [true, true, false]));
        Assert.True(double.IsNaN(AveragePrecision.Area(scores, [false, false, false])));
        Assert.Throws<ArgumentException>(() => AveragePrecision.Area([double.NaN, 1], [true, false]));
    }

    /// <summary>Rankings with ties scored by scikit-learn (tests/fixtures/make_transfer_fixtures.py).</summary>
    [Fact]
    public void MatchesScikitLearn()
    {
        using var fixture = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "average_precision.json")));
        int cases = 0;
        foreach (var c in fixture.RootElement.GetProperty("cases").EnumerateArray())
        {
            double[] scores = [.. c.GetProperty("scores").EnumerateArray().Select(v => v.GetDouble())];
            bool[] positive = [.. c.GetProperty("labels").EnumerateArray().Select(v => v.GetInt32() == 1)];
            Assert.Equal(c.GetProperty("area").GetDouble(), AveragePrecision.Area(scores, positive), 12);
            Assert.Equal(c.GetProperty("eleven_point").GetDouble(), AveragePrecision.ElevenPoint(scores, positive), 12);
            cases++;
        }
        Assert.Equal(6, cases);
    }
}
