using System.Diagnostics;
using VggSharp.Data;
using VggSharp.Evaluation;
using VggSharp.Models;

namespace VggSharp.Transfer;

/// <summary>
/// The paper's Appendix B: trained networks as feature extractors for another data set, with one-vs-rest linear SVMs
/// on the L2-normalised descriptors, scored by mean class recall over the Caltech protocol's random splits (N training
/// images per class, K splits) and by each class's average precision.
/// </summary>
public static class TransferExperiment
{
    /// <summary>
    /// Describes the training images the splits draw (only those) and every test image with <paramref name="models"/>,
    /// then trains and tests the SVMs of each split. The splits are <see cref="PerClassSplit.Draw(IImageDataset, int, int, ulong)"/>'s,
    /// so <c>vggsharp train --per-class N --split k</c> trains on the same images.
    /// </summary>
    public static TransferResult Run(IReadOnlyList<VggModel> models, IImageDataset train, IImageDataset test, TransferOptions options,
        IProgress<TransferProgress>? progress = null, CancellationToken cancellation = default)
    {
        options.Validate();
        CheckSameClasses(train.ClassNames, test.ClassNames);
        var splits = Enumerable.Range(0, options.Splits)
            .Select(k => options.PerClass is { } n ? PerClassSplit.Draw(train, n, k, options.Seed) : [.. Enumerable.Range(0, train.Count)])
            .ToList();
        // A data set no SVM can learn from fails here, before any image is described.
        foreach (var split in splits) OneVsRestSvm.CheckClasses(train.ClassNames, split.Select(train.LabelOf));
        int[] used = [.. splits.SelectMany(s => s).Distinct().Order()];
        using var extractor = new FeatureExtractor(models, options.Features);
        var trainFeatures = extractor.Extract(DatasetSubset.OfImages(train, used),
            Report(progress, "train features"), cancellation);
        var testFeatures = extractor.Extract(test, Report(progress, "test features"), cancellation);
        // The descriptors' rows, by the training set's index (an undecodable image has none and leaves its split).
        var rowOf = new Dictionary<int, int>();
        for (int row = 0; row < trainFeatures.Count; row++) rowOf[used[trainFeatures.Indices[row]]] = row;
        var splitRows = splits.Select(s => (IReadOnlyList<int>)[.. s.Where(rowOf.ContainsKey).Select(i => rowOf[i])]).ToList();
        var bad = trainFeatures.BadImages.Select(b => b with { Index = used[b.Index] }).Concat(testFeatures.BadImages).ToList();
        return Run(trainFeatures, splitRows, testFeatures, options, extractor.Scales, bad, progress, cancellation);
    }

    /// <summary>
    /// The SVM part alone, on descriptors computed before (<see cref="FeatureExtractor"/>, or read from features.npy):
    /// the splits are drawn over <paramref name="train"/>'s rows.
    /// </summary>
    public static TransferResult Run(FeatureSet train, FeatureSet test, TransferOptions options,
        IProgress<TransferProgress>? progress = null, CancellationToken cancellation = default)
    {
        options.Validate();
        CheckSameClasses(train.ClassNames, test.ClassNames);
        var splitRows = Enumerable.Range(0, options.Splits)
            .Select(k => (IReadOnlyList<int>)(options.PerClass is { } n
                ? PerClassSplit.Draw(train.Labels, train.ClassNames, n, k, options.Seed)
                : [.. Enumerable.Range(0, train.Count)]))
            .ToList();
        return Run(train, splitRows, test, options, [], [], progress, cancellation);
    }

    private static TransferResult Run(FeatureSet train, IReadOnlyList<IReadOnlyList<int>> splitRows, FeatureSet test, TransferOptions options,
        IReadOnlyList<int[]> scales, IReadOnlyList<BadImage> bad, IProgress<TransferProgress>? progress, CancellationToken cancellation)
    {
        if (train.Dimension != test.Dimension)
            throw new ArgumentException($"The training descriptors have {train.Dimension} values but the test ones {test.Dimension}.");
        if (test.Count == 0) throw new ArgumentException("There is no test image to score the SVMs on.");
        var stopwatch = Stopwatch.StartNew();
        var results = new List<TransferSplitResult>();
        for (int k = 0; k < splitRows.Count; k++)
        {
            cancellation.ThrowIfCancellationRequested();
            var rows = splitRows[k];
            OneVsRestSvm.CheckClasses(train, rows);
            var (c, cvScores) = options.Svm.C is { } given
                ? (given, null)
                : SvmCrossValidation.ChooseC(train, rows, options.Svm, Randomness.CounterRandom.Key(options.Seed, (ulong)k, 0xC5));
            var svm = OneVsRestSvm.Train(train, rows, c, options.Svm.Tolerance);
            results.Add(Test(svm, test, k, rows.Count, c, cvScores));
            progress?.Report(new TransferProgress("splits", k + 1, splitRows.Count));
        }
        return new TransferResult(results, train.ClassNames, train.Dimension, scales, test.Count,
            train.Seconds + test.Seconds, stopwatch.Elapsed.TotalSeconds, bad);
    }

    /// <summary>Scores every test descriptor with every class's SVM: the predictions' confusion matrix and each class's ranking.</summary>
    private static TransferSplitResult Test(OneVsRestSvm svm, FeatureSet test, int split, int trainImages, double c, double[]? cvScores)
    {
        int classes = test.ClassNames.Count;
        var confusion = new ConfusionMatrix(test.ClassNames);
        var scores = new double[classes][];
        for (int k = 0; k < classes; k++) scores[k] = new double[test.Count];
        for (int i = 0; i < test.Count; i++)
        {
            var row = svm.Scores(test.Row(i));
            for (int k = 0; k < classes; k++) scores[k][i] = row[k];
            confusion.Add(test.Labels[i], OneVsRestSvm.ArgMax(row));
        }
        var eleven = new double[classes];
        var area = new double[classes];
        var positive = new bool[test.Count];
        for (int k = 0; k < classes; k++)
        {
            for (int i = 0; i < test.Count; i++) positive[i] = test.Labels[i] == k;
            eleven[k] = AveragePrecision.ElevenPoint(scores[k], positive);
            area[k] = AveragePrecision.Area(scores[k], positive);
        }
        return new TransferSplitResult(split, trainImages, c, cvScores, TransferMetrics.MeanClassRecall(confusion), confusion, eleven, area);
    }

    private static void CheckSameClasses(IReadOnlyList<string> train, IReadOnlyList<string> test)
    {
        if (!train.SequenceEqual(test, StringComparer.Ordinal))
            throw new ArgumentException($"The test data's classes ({string.Join(", ", test.Take(5))}{(test.Count > 5 ? ", ..." : "")}) are not the training data's ({string.Join(", ", train.Take(5))}{(train.Count > 5 ? ", ..." : "")}).");
    }

    private static IProgress<FeatureProgress>? Report(IProgress<TransferProgress>? progress, string stage) =>
        progress is null ? null : new StageProgress(progress, stage);

    /// <summary>Passes an extraction's progress on as one stage of the experiment's, on the caller's thread (not <see cref="Progress{T}"/>'s posts).</summary>
    private sealed class StageProgress(IProgress<TransferProgress> progress, string stage) : IProgress<FeatureProgress>
    {
        public void Report(FeatureProgress value) => progress.Report(new TransferProgress(stage, value.Images, value.Total));
    }
}
