using VggSharp.Evaluation;
using VggSharp.Experiments;
using Xunit;

namespace VggSharp.Tests.Experiments;

public class StudyPlanTests
{
    [Theory]
    [InlineData(256, 32, 37)]
    [InlineData(384, 32, 55)]
    [InlineData(512, 32, 73)]
    [InlineData(256, 224, 256)]
    [InlineData(512, 64, 146)]
    public void PaperScalesMapInProportionToTheCrop(int paperScale, int crop, int expected) =>
        Assert.Equal(expected, TrainingScale.Map(paperScale, crop));

    [Fact]
    public void Table3HasThePapersTwelveRowsAndTrainsAFirst()
    {
        var plan = StudyPlan.For(PaperTable.Table3);
        Assert.Equal(
            ["A/256", "A-LRN/256", "B/256", "C/256", "C/384", "C/[256;512]", "D/256", "D/384", "D/[256;512]", "E/256", "E/384", "E/[256;512]"],
            plan.Rows.Select(r => r.Models[0].Label));
        Assert.Equal(ModelVariant.WarmStartSource, plan.Variants[0]);
        Assert.Equal(12, plan.Variants.Distinct().Count());
        Assert.All(plan.Rows, r => Assert.Equal(EvaluationProtocol.Dense, r.Protocol));
        Assert.Equal(new PaperError(25.5, 8.0), plan.Rows[^1].Paper);
    }

    [Fact]
    public void TestScalesFollowSection4()
    {
        var table4 = StudyPlan.For(PaperTable.Table4);
        StudyRow Row(PaperTable table, string configuration, TrainingScale scale) =>
            table4.Rows.Single(r => r.Table == table && r.Models[0] == new ModelVariant(configuration, scale));
        // One scale: Q = S, or the middle of the jittered range.
        Assert.Equal([37], Row(PaperTable.Table3, "D", TrainingScale.Fixed256).TestScales(32));
        Assert.Equal([55], Row(PaperTable.Table3, "D", TrainingScale.Jittered).TestScales(32));
        // Several: S - 32, S, S + 32 in proportion (±5 for 32 crops), or the range's ends and middle.
        Assert.Equal([32, 37, 42], Row(PaperTable.Table4, "D", TrainingScale.Fixed256).TestScales(32));
        Assert.Equal([37, 55, 73], Row(PaperTable.Table4, "D", TrainingScale.Jittered).TestScales(32));
        Assert.Equal("D/[256;512]/256,384,512", Row(PaperTable.Table4, "D", TrainingScale.Jittered).Label);
        Assert.Equal("B/256/224,256,288", Row(PaperTable.Table4, "B", TrainingScale.Fixed256).Label);
        Assert.Equal("D/[37;73]/37,55,73", Row(PaperTable.Table4, "D", TrainingScale.Jittered).LabelForCrop(32));
    }

    [Fact]
    public void Table6TrainsOnlyWhatItsEnsemblesNeed()
    {
        var plan = StudyPlan.For(PaperTable.Table6);
        Assert.Equal([ModelVariant.WarmStartSource, new("D", TrainingScale.Jittered), new("E", TrainingScale.Jittered)], plan.Variants);
        Assert.Equal(9, plan.Rows.Count);
        Assert.All(plan.Rows.Where(r => r.Table == PaperTable.Table6), r => Assert.Equal(2, r.Models.Count));
        Assert.Equal(plan.Rows.Count, plan.Rows.Select(r => r.Id).Distinct().Count());
    }

    [Fact]
    public void RunNamesTellTheInitialisationApart()
    {
        var d = new ModelVariant("D", TrainingScale.Jittered);
        Assert.Equal("D-256_512-seed2", d.RunName(2, StudyInit.WarmStart));
        Assert.Equal("D-256_512-glorot-seed2", d.RunName(2, StudyInit.Glorot));
        Assert.Equal("A-256-seed1", ModelVariant.WarmStartSource.RunName(1, StudyInit.Glorot));
    }

    [Theory]
    [InlineData(0.0, 1, 1)]
    [InlineData(0.25, 0, 1)]
    [InlineData(0.25, 1, 0)]
    [InlineData(0.25, 1, 101)]
    public void BadOptionsAreRefusedInWords(double width, int epochs, int seeds)
    {
        var e = Assert.Throws<ArgumentException>(() => new ExperimentOptions { Width = width, Epochs = epochs, Seeds = seeds }.Validate());
        Assert.DoesNotContain("\n", e.Message);
    }
}
