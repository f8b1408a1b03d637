using VggSharp.Data;
using VggSharp.Evaluation;
using VggSharp.Randomness;

namespace VggSharp.Transfer;

/// <summary>
/// Chooses the SVMs' cost C by stratified k-fold cross-validation on the training images alone: each class's images
/// are shuffled (from a seed) and dealt to the folds in turn; the C of the highest mean class recall on the held-out
/// folds wins, the smallest on a tie.
/// </summary>
public static class SvmCrossValidation
{
    /// <summary>
    /// The best C of <paramref name="options"/>' grid for rows <paramref name="rows"/> of <paramref name="features"/>,
    /// with each C's mean class recall. Each class needs at least two images (the folds shrink to the smallest class).
    /// </summary>
    public static (double C, double[] Scores) ChooseC(FeatureSet features, IReadOnlyList<int> rows, SvmOptions options, ulong seed)
    {
        OneVsRestSvm.CheckClasses(features, rows);
        var byClass = Enumerable.Range(0, features.ClassNames.Count).Select(_ => new List<int>()).ToArray();
        foreach (int r in rows) byClass[features.Labels[r]].Add(r);
        int smallest = byClass.Min(c => c.Count);
        if (smallest < 2)
        {
            string name = features.ClassNames[Array.FindIndex(byClass, c => c.Count == smallest)];
            throw new ArgumentException($"Choosing C by cross-validation needs at least 2 training images per class, and class {name} has {smallest}; give C.");
        }
        int folds = Math.Min(options.Folds, smallest);
        var foldOf = new Dictionary<int, int>();
        for (int c = 0; c < byClass.Length; c++)
        {
            var shuffled = PerClassSplit.Shuffled(byClass[c], CounterRandom.Key(seed, (ulong)c));
            for (int i = 0; i < shuffled.Count; i++) foldOf[shuffled[i]] = i % folds;
        }
        var problems = new SvmProblem[folds];
        var held = new List<int>[folds];
        var kept = new List<int>[folds];
        try
        {
            for (int f = 0; f < folds; f++)
            {
                held[f] = [.. rows.Where(r => foldOf[r] == f)];
                kept[f] = [.. rows.Where(r => foldOf[r] != f)];
                problems[f] = new SvmProblem(features, kept[f]);
            }
            var scores = new double[options.CGrid.Length];
            for (int g = 0; g < scores.Length; g++)
            {
                var confusion = new ConfusionMatrix(features.ClassNames);
                for (int f = 0; f < folds; f++)
                {
                    var svm = OneVsRestSvm.Train(features, kept[f], problems[f], options.CGrid[g], options.Tolerance);
                    foreach (int r in held[f]) confusion.Add(features.Labels[r], OneVsRestSvm.ArgMax(svm.Scores(features.Row(r))));
                }
                scores[g] = TransferMetrics.MeanClassRecall(confusion);
            }
            int best = 0;
            for (int g = 1; g < scores.Length; g++)
                if (scores[g] > scores[best]) best = g;
            return (options.CGrid[best], scores);
        }
        finally
        {
            foreach (var problem in problems) problem?.Dispose();
        }
    }
}
