namespace VggSharp.Transfer;

/// <summary>
/// One linear SVM per class, each separating its class from all the others (the paper's Appendix B); an image's
/// predicted class is the one whose SVM scores it highest.
/// </summary>
public sealed class OneVsRestSvm
{
    private OneVsRestSvm(LinearSvm[] classifiers, double c) => (Classifiers, C) = (classifiers, c);

    /// <summary>Each class's SVM, indexed by label.</summary>
    public IReadOnlyList<LinearSvm> Classifiers { get; }

    /// <summary>The cost C they were trained with.</summary>
    public double C { get; }

    /// <summary>
    /// Trains an SVM per class of <paramref name="features"/> on its rows <paramref name="rows"/> at cost
    /// <paramref name="c"/>. Every class needs a training image, and there must be at least two classes.
    /// </summary>
    public static OneVsRestSvm Train(FeatureSet features, IReadOnlyList<int> rows, double c, double tolerance = 0.01)
    {
        using var problem = new SvmProblem(features, rows);
        return Train(features, rows, problem, c, tolerance);
    }

    /// <summary>Trains on a problem built once for several values of C.</summary>
    internal static OneVsRestSvm Train(FeatureSet features, IReadOnlyList<int> rows, SvmProblem problem, double c, double tolerance)
    {
        CheckClasses(features, rows);
        var positive = new bool[rows.Count];
        var classifiers = new LinearSvm[features.ClassNames.Count];
        for (int k = 0; k < classifiers.Length; k++)
        {
            for (int i = 0; i < rows.Count; i++) positive[i] = features.Labels[rows[i]] == k;
            classifiers[k] = LinearSvm.Train(problem, positive, c, tolerance);
        }
        return new OneVsRestSvm(classifiers, c);
    }

    /// <summary>Each class's score of <paramref name="descriptor"/>.</summary>
    public double[] Scores(ReadOnlySpan<float> descriptor)
    {
        var scores = new double[Classifiers.Count];
        for (int k = 0; k < scores.Length; k++) scores[k] = Classifiers[k].Score(descriptor);
        return scores;
    }

    /// <summary>The class of highest score (the first on a tie).</summary>
    public static int ArgMax(ReadOnlySpan<double> scores)
    {
        int best = 0;
        for (int k = 1; k < scores.Length; k++)
            if (scores[k] > scores[best]) best = k;
        return best;
    }

    /// <summary>One clear error for data an SVM per class cannot learn from: a single class, or a class without images.</summary>
    internal static void CheckClasses(FeatureSet features, IReadOnlyList<int> rows) => CheckClasses(features.ClassNames, rows.Select(r => features.Labels[r]));

    /// <summary>The same check on the <paramref name="labels"/> of the training images, before any is described.</summary>
    internal static void CheckClasses(IReadOnlyList<string> classNames, IEnumerable<int> labels)
    {
        if (classNames.Count < 2)
            throw new ArgumentException($"The data has {(classNames.Count == 0 ? "no class" : $"one class ({classNames[0]})")}; a classifier needs at least two.");
        var counts = new int[classNames.Count];
        foreach (int label in labels) counts[label]++;
        int empty = Array.IndexOf(counts, 0);
        if (empty >= 0) throw new ArgumentException($"Class {classNames[empty]} has no training image; every class needs some.");
    }
}
