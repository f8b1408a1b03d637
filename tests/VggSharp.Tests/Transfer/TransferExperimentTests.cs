using VggSharp.Data;
using VggSharp.Tests.Evaluation;
using VggSharp.Transfer;
using Xunit;

namespace VggSharp.Tests.Transfer;

public class TransferExperimentTests
{
    [Fact]
    public void SeparableClassesAreRecalledOnEverySplit()
    {
        var train = LinearSvmTests.Clusters(8, seed: 1);
        var test = LinearSvmTests.Clusters(5, seed: 2);
        var result = TransferExperiment.Run(train, test, new TransferOptions { PerClass = 3, Splits = 2, Svm = new SvmOptions { C = 10 } });

        Assert.Equal(2, result.Splits.Count);
        Assert.All(result.Splits, split =>
        {
            Assert.Equal(9, split.TrainImages);
            Assert.Equal(1, split.MeanClassRecall);
            Assert.Equal([1.0, 1.0, 1.0], split.AreaAp);
            Assert.Equal(15, split.Confusion.Total);
        });
        Assert.Equal((1.0, 0.0), result.MeanClassRecall);
        Assert.Equal((1.0, 0.0), result.MeanElevenPointAp);
    }

    [Fact]
    public void CIsCrossValidatedWhenNotGiven()
    {
        var train = LinearSvmTests.Clusters(8, seed: 3);
        var result = TransferExperiment.Run(train, LinearSvmTests.Clusters(4, seed: 4), new TransferOptions { PerClass = 4, Svm = new SvmOptions { CGrid = [0.1, 10], Folds = 2 } });
        var split = Assert.Single(result.Splits);
        Assert.Equal(2, split.CrossValidationScores!.Count);
        Assert.Contains(split.C, new[] { 0.1, 10 });
    }

    [Fact]
    public void AClassTooSmallForTheSplitIsOneClearError()
    {
        var train = LinearSvmTests.Clusters(2);
        var e = Assert.Throws<ArgumentException>(() =>
            TransferExperiment.Run(train, LinearSvmTests.Clusters(2), new TransferOptions { PerClass = 3, Svm = new SvmOptions { C = 1 } }));
        Assert.Equal("Class a has 2 images, fewer than the 3 per class asked for.", e.Message);
    }

    [Fact]
    public void SplitsDrawTheSameImagesEveryTimeAndDifferBetweenSplits()
    {
        var data = new SyntheticDataset(["x", "y"], [.. Enumerable.Range(0, 40).Select(i => ((VggSharp.Data.DecodedImage?)null, i % 2))]);
        var first = PerClassSplit.Draw(data, 5, split: 0);
        Assert.Equal(first, PerClassSplit.Draw(data, 5, split: 0));
        Assert.NotEqual(first, PerClassSplit.Draw(data, 5, split: 1));
        Assert.Equal(10, first.Length);
        Assert.Equal(5, first.Count(i => data.LabelOf(i) == 0));
        Assert.Equal(first.Order(), first);
    }

    [Fact]
    public void AClassSubsetRenumbersItsClasses()
    {
        var data = new SyntheticDataset(["a", "b", "c", "d"], [.. Enumerable.Range(0, 12).Select(i => ((VggSharp.Data.DecodedImage?)null, i % 4))]);
        var subset = DatasetSubset.OfClasses(data, [3, 1]);
        Assert.Equal(["d", "b"], subset.ClassNames);
        Assert.Equal(6, subset.Count);
        Assert.Equal([1, 0, 1, 0, 1, 0], Enumerable.Range(0, 6).Select(subset.LabelOf));
        Assert.Equal("image1.png", subset.Describe(0));
        Assert.Equal("Class 4 does not exist: the data set has classes 0 to 3. (Parameter 'classes')",
            Assert.Throws<ArgumentException>(() => DatasetSubset.OfClasses(data, [4])).Message);
    }
}
