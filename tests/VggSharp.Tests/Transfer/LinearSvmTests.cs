using VggSharp.Transfer;
using Xunit;

namespace VggSharp.Tests.Transfer;

public class LinearSvmTests
{
    /// <summary>Three well-separated clusters in 4 dimensions, L2-normalised, <paramref name="perClass"/> points each.</summary>
    internal static FeatureSet Clusters(int perClass, int seed = 5, string[]? names = null)
    {
        names ??= ["a", "b", "c"];
        var random = new Random(seed);
        var values = new List<float>();
        var labels = new List<int>();
        for (int k = 0; k < names.Length; k++)
        {
            for (int i = 0; i < perClass; i++)
            {
                var row = new float[4];
                for (int j = 0; j < 4; j++) row[j] = (float)(random.NextDouble() * 0.2);
                row[k % 4] += 1;
                FeatureExtractor.Normalise(row);
                values.AddRange(row);
                labels.Add(k);
            }
        }
        return new FeatureSet([.. values], 4, [.. labels], [.. labels.Select((_, i) => $"image{i}")], names);
    }

    [Fact]
    public void SeparatesASeparableSet()
    {
        var data = Clusters(10);
        var rows = Enumerable.Range(0, data.Count).ToList();
        var svm = OneVsRestSvm.Train(data, rows, c: 10);
        for (int i = 0; i < data.Count; i++)
        {
            var scores = svm.Scores(data.Row(i));
            Assert.Equal(data.Labels[i], OneVsRestSvm.ArgMax(scores));
            for (int k = 0; k < scores.Length; k++) Assert.True(scores[k] > 0 == (k == data.Labels[i]), $"image {i}, class {k}: score {scores[k]}");
        }
    }

    [Fact]
    public void TrainingTwiceGivesTheSameWeights()
    {
        var data = Clusters(12, seed: 9);
        var rows = Enumerable.Range(0, data.Count).ToList();
        var first = OneVsRestSvm.Train(data, rows, c: 1);
        var second = OneVsRestSvm.Train(data, rows, c: 1);
        for (int k = 0; k < 3; k++)
        {
            Assert.Equal(first.Classifiers[k].Weights, second.Classifiers[k].Weights);
            Assert.Equal(first.Classifiers[k].Bias, second.Classifiers[k].Bias);
        }
    }

    [Fact]
    public void DataWithOneClassIsOneClearError()
    {
        var data = Clusters(5, names: ["only"]);
        var e = Assert.Throws<ArgumentException>(() => OneVsRestSvm.Train(data, [.. Enumerable.Range(0, data.Count)], c: 1));
        Assert.Equal("The data has one class (only); a classifier needs at least two.", e.Message);
    }

    [Fact]
    public void AClassWithoutTrainingImagesIsOneClearError()
    {
        var data = Clusters(5);
        var e = Assert.Throws<ArgumentException>(() => OneVsRestSvm.Train(data, [.. Enumerable.Range(0, 10)], c: 1));
        Assert.Equal("Class c has no training image; every class needs some.", e.Message);
    }

    [Fact]
    public void CrossValidationTakesTheSmallestCOfTheBestScore()
    {
        var data = Clusters(6);
        double[] grid = [1e-6, 0.01, 10, 1000];
        var (c, scores) = SvmCrossValidation.ChooseC(data, [.. Enumerable.Range(0, data.Count)], new SvmOptions { CGrid = grid }, seed: 1);
        int chosen = Array.IndexOf(grid, c);
        Assert.Equal(4, scores.Length);
        Assert.Equal(scores.Max(), scores[chosen]);
        Assert.All(scores.Take(chosen), score => Assert.True(score < scores[chosen]));
        Assert.Equal(1, scores[2]);
    }
}
