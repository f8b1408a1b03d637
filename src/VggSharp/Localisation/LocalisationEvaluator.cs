using System.Diagnostics;
using System.Runtime.ExceptionServices;
using VggSharp.Data;
using VggSharp.Evaluation;
using VggSharp.Models;

namespace VggSharp.Localisation;

/// <summary>
/// Tests a localisation network as the paper's Appendix A does: by the centre crop, or densely with OverFeat's greedy
/// merging weighted by the classification network's posteriors, over one or more test scales; a box is correct when
/// its intersection over union with one of the image's ground-truth boxes of its class exceeds 0.5. With a classifier,
/// the classes are ranked by the mean of its windows' posteriors, giving the top-1 and top-5 localisation errors; the
/// error with the ground-truth class given is reported in any case.
/// </summary>
public static class LocalisationEvaluator
{
    private const int ImagesPerStep = 16;

    /// <summary>
    /// Evaluates <paramref name="localiser"/> (and <paramref name="classifier"/>, which ranks the classes and weights the
    /// boxes) on <paramref name="data"/>. Images or annotations that cannot be read are skipped and listed.
    /// <paramref name="progress"/> gets (images done, images in all).
    /// </summary>
    public static LocalisationResult Evaluate(VggModel localiser, VggModel? classifier, LocalisationDataset data, LocalisationEvaluationOptions options,
        Action<int, int>? progress = null, CancellationToken cancellation = default)
    {
        var stopwatch = Stopwatch.StartNew();
        using var engine = new BoxLocaliser(localiser, classifier, data.ClassNames.Count, options);
        int total = Math.Min(data.Count, options.Limit ?? int.MaxValue), images = 0, wrongTop1 = 0, wrongTop5 = 0, wrongGroundTruth = 0;
        var bad = new List<BadImage>();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism, CancellationToken = cancellation };
        for (int start = 0; start < total; start += ImagesPerStep)
        {
            int count = Math.Min(ImagesPerStep, total - start);
            var loaded = Load(data, start, count, parallel);
            for (int i = 0; i < count; i++)
            {
                cancellation.ThrowIfCancellationRequested();
                if (loaded[i].Bad is { } e)
                {
                    bad.Add(new BadImage(start + i, e.Source, e.Reason));
                    continue;
                }
                var (image, truth) = (loaded[i].Image!, loaded[i].Boxes!);
                int label = data.LabelOf(start + i);
                var windows = engine.Windows(image);
                var posterior = engine.Posterior(windows);
                // A class's box does not depend on the ranking: the ground-truth class's box decides every measure.
                var answer = engine.Answer(windows, label, image.Width, image.Height, posterior);
                bool right = truth.Any(t => answer.Box.IntersectionOverUnion(t) > options.CorrectOverlap);
                images++;
                if (!right) wrongGroundTruth++;
                if (posterior is not null)
                {
                    int rank = ScoreRanking.RankOf(posterior, label);
                    if (!(rank == 0 && right)) wrongTop1++;
                    if (!(rank < 5 && right)) wrongTop5++;
                }
            }
            progress?.Invoke(start + count, total);
        }
        if (images == 0 && bad.Count > 0) throw new ImageFormatException(bad[0].Source, $"none of the {bad.Count} images could be used; the first: {bad[0].Reason}");
        double Error(int wrong) => images == 0 ? double.NaN : (double)wrong / images;
        return new LocalisationResult(classifier is null ? double.NaN : Error(wrongTop1), classifier is null ? double.NaN : Error(wrongTop5),
            Error(wrongGroundTruth), images, stopwatch.Elapsed.TotalSeconds, bad);
    }

    /// <summary>
    /// The answers for one image: with a classifier, its <paramref name="top"/> classes by posterior, each with its box;
    /// without, every class's box (one for an SCR network) by the confidence its merged box piled up.
    /// </summary>
    public static IReadOnlyList<ClassBox> Predict(VggModel localiser, VggModel? classifier, int classes, DecodedImage image,
        LocalisationEvaluationOptions options, int top = 5)
    {
        if (top < 1) throw new ArgumentOutOfRangeException(nameof(top), top, "At least one answer is asked for.");
        using var engine = new BoxLocaliser(localiser, classifier, classes, options);
        var windows = engine.Windows(image);
        var posterior = engine.Posterior(windows);
        var labels = posterior is not null
            ? Enumerable.Range(0, classes).OrderByDescending(c => posterior[c]).ThenBy(c => c)
            : Enumerable.Range(0, localiser.Options.Classes == BoxEncoding.Length ? 1 : classes);
        var answers = labels.Select(c => engine.Answer(windows, c, image.Width, image.Height, posterior));
        if (posterior is null) answers = answers.OrderByDescending(a => a.BoxScore).ThenBy(a => a.Label);
        return answers.Take(top).ToList();
    }

    private static (DecodedImage? Image, IReadOnlyList<BoundingBox>? Boxes, ImageFormatException? Bad)[] Load(LocalisationDataset data, int start, int count,
        ParallelOptions parallel)
    {
        var loaded = new (DecodedImage?, IReadOnlyList<BoundingBox>?, ImageFormatException?)[count];
        try
        {
            Parallel.For(0, count, parallel, i =>
            {
                try
                {
                    var image = data.Load(start + i);
                    loaded[i] = (image, data.BoxesOf(start + i, image), null);
                }
                catch (ImageFormatException e)
                {
                    loaded[i] = (null, null, e);
                }
            });
        }
        catch (AggregateException e)
        {
            ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
        return loaded;
    }
}
