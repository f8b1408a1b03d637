using VggSharp.Evaluation;
using VggSharp.Experiments;
using Xunit;

namespace VggSharp.Tests.Experiments;

public class ConclusionTests
{
    private static RowResult Result(string configuration, TrainingScale scale, params double[] top1) =>
        new(StudyPlan.For(PaperTable.Table3).Rows.Single(r => r.Models[0] == new ModelVariant(configuration, scale)),
            [.. top1.Select((e, i) => new RowEvaluation(i + 1, e, e / 10, 100, 1))], 10);

    [Fact]
    public void SeedStatisticsAreTheMeanAndSampleDeviation()
    {
        var s = SeedStatistics.Of([0.10, 0.12]);
        Assert.Equal(0.11, s.Mean, 12);
        Assert.Equal(Math.Sqrt(0.0002), s.StandardDeviation, 12);
        Assert.Equal(0, SeedStatistics.Of([0.3]).StandardDeviation);
    }

    [Theory]
    [InlineData(new[] { 0.10, 0.11 }, new[] { 0.20, 0.21 }, ClaimVerdict.Holds)]
    [InlineData(new[] { 0.10, 0.14 }, new[] { 0.11, 0.15 }, ClaimVerdict.WithinNoise)]
    [InlineData(new[] { 0.20, 0.21 }, new[] { 0.10, 0.11 }, ClaimVerdict.DoesNotHold)]
    public void AComparisonCountsOnlyBeyondTheSeedNoise(double[] better, double[] worse, ClaimVerdict expected)
    {
        var comparison = Comparison.Of(Result("D", TrainingScale.Fixed256, better), Result("C", TrainingScale.Fixed256, worse));
        Assert.Equal(expected, comparison.Verdict);
    }

    [Fact]
    public void TheStudysRowsDecideWhichConclusionsAreDrawn()
    {
        var rows = StudyPlan.For(PaperTable.Table3).Rows.Select(r => new RowResult(r, [new RowEvaluation(1, 0.1, 0.01, 10, 1)], 1)).ToList();
        var conclusions = StudyConclusions.From(rows);
        Assert.Equal(5, conclusions.Count);
        Assert.DoesNotContain(conclusions, c => c.Claim.Contains("test scales", StringComparison.Ordinal));
        // Equal errors everywhere: "no better" holds, "better" is within the noise.
        Assert.Equal(ClaimVerdict.Holds, conclusions[0].Verdict);
        Assert.All(conclusions.Skip(1), c => Assert.Equal(ClaimVerdict.WithinNoise, c.Verdict));
        // The paper's own Table 3 has E/256 behind D/256.
        Assert.False(conclusions.Single(c => c.Claim.StartsWith("Error falls with depth", StringComparison.Ordinal)).HoldsInPaper);
        Assert.True(conclusions.Single(c => c.Claim.StartsWith("C (with 1x1", StringComparison.Ordinal)).HoldsInPaper);
    }

    [Fact]
    public void LrnThatHelpsBeyondTheNoiseRefutesTheClaim()
    {
        var rows = new List<RowResult> { Result("A", TrainingScale.Fixed256, 0.20, 0.21), Result("A-LRN", TrainingScale.Fixed256, 0.10, 0.11) };
        var lrn = Assert.Single(StudyConclusions.From(rows));
        Assert.Equal(ClaimVerdict.DoesNotHold, lrn.Verdict);
        Assert.Equal(EvaluationProtocol.Dense, lrn.Comparisons[0].Better.Row.Protocol);
    }
}
