using VggSharp.Evaluation;
using VggSharp.Models;
using Xunit;

namespace VggSharp.Tests.Evaluation;

public class EvaluationOptionsTests
{
    [Fact]
    public void DefaultScalesFollowThePaperAt224()
    {
        Assert.Equal([224, 256, 288], EvaluationOptions.DefaultScales(256, 256));
        Assert.Equal([352, 384, 416], EvaluationOptions.DefaultScales(384, 384));
        Assert.Equal([256, 384, 512], EvaluationOptions.DefaultScales(256, 512));
    }

    [Fact]
    public void DefaultScalesStepInProportionToSmallCropsAndNeverBelowTheCrop()
    {
        // 32/224 of 32 is 4.57: a step of 5.
        Assert.Equal([32, 37, 42], EvaluationOptions.DefaultScales(37, 37, cropSize: 32));
        Assert.Equal([28, 32], EvaluationOptions.DefaultScales(28, 28, cropSize: 28));
        Assert.Equal([3, 4, 5], EvaluationOptions.DefaultScales(4, 4, cropSize: 3));
        Assert.Equal([32, 40, 48], EvaluationOptions.DefaultScales(32, 48, cropSize: 32));
        Assert.Throws<ArgumentException>(() => EvaluationOptions.DefaultScales(20, 20, cropSize: 32));
        Assert.Throws<ArgumentException>(() => EvaluationOptions.DefaultScales(300, 256));
    }

    [Fact]
    public void WithoutScalesCenterUsesTheInputSizeAndTheOthersThePapersScalesInProportion()
    {
        var model = new VggOptions { InputSize = 28 };
        Assert.Equal([28], new EvaluationOptions().ScalesFor(model));
        Assert.Equal([28, 32, 36], new EvaluationOptions { Protocol = EvaluationProtocol.Dense }.ScalesFor(model));
        Assert.Equal([224, 256, 288], new EvaluationOptions { Protocol = EvaluationProtocol.MultiCrop }.ScalesFor(new VggOptions()));
        Assert.Equal([40], new EvaluationOptions { Scales = [40] }.ScalesFor(model));
    }

    [Fact]
    public void ValidateRefusesNonsense()
    {
        Assert.Throws<ArgumentException>(() => new EvaluationOptions { BatchSize = 0 }.Validate());
        Assert.Throws<ArgumentException>(() => new EvaluationOptions { Limit = 0 }.Validate());
        Assert.Throws<ArgumentException>(() => new EvaluationOptions { Scales = [0] }.Validate());
        Assert.Throws<ArgumentException>(() => new EvaluationOptions { MaxDegreeOfParallelism = 0 }.Validate());
        Assert.Throws<ArgumentException>(() => new EvaluationOptions { Protocol = (EvaluationProtocol)9 }.Validate());
    }
}
