using System.Diagnostics;
using VggSharp.Data;
using VggSharp.Models;

namespace VggSharp.Evaluation;

/// <summary>
/// Runs the paper's test protocols (section 3.2) over a data set or a single image, for one model or an ensemble:
/// posteriors are averaged over views (crops, flips), over test scales and over models, then scored by top-1 and top-5
/// error. Each model uses its own input size and preprocessing; all must share classes and input channels.
/// Images are decoded and rescaled on background threads while the previous ones go through the networks.
/// </summary>
public static class Evaluator
{
    /// <summary>
    /// Evaluates <paramref name="models"/> on <paramref name="data"/> (its first <see cref="EvaluationOptions.Limit"/>
    /// images). Images that cannot be decoded are skipped and listed in the result. <paramref name="progress"/> gets
    /// (images done, images in all) after each step.
    /// </summary>
    public static EvaluationResult Evaluate(IReadOnlyList<VggModel> models, IImageDataset data, EvaluationOptions options,
        Action<int, int>? progress = null, CancellationToken cancellation = default)
    {
        var stopwatch = Stopwatch.StartNew();
        using var ensemble = new Ensemble(models, options);
        if (data.ClassNames.Count != ensemble.Classes)
            throw new ArgumentException($"The data set has {data.ClassNames.Count} classes but the model predicts {ensemble.Classes}.");
        int total = Math.Min(data.Count, options.Limit ?? int.MaxValue);
        var confusion = new ConfusionMatrix(data.ClassNames);
        var topK = new TopKAccuracy(ensemble.Classes);
        var badImages = new List<BadImage>();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism, CancellationToken = cancellation };

        PreparedStep.ForEach(data, total, ensemble.ImagesPerStep, ensemble.Rescale, ensemble.SmallestScale, parallel, (step, done) =>
        {
            badImages.AddRange(step.BadImages);
            var posteriors = ensemble.Posteriors(step.Images, cancellation);
            for (int i = 0; i < posteriors.Length; i++)
            {
                confusion.Add(posteriors[i], step.Labels[i]);
                topK.Add(posteriors[i], step.Labels[i]);
            }
            progress?.Invoke(done, total);
        });
        return new EvaluationResult(confusion.Top1Error, topK.Error(5), confusion, (int)topK.Count, stopwatch.Elapsed.TotalSeconds, badImages);
    }

    /// <summary>The posterior (one probability per class, summing to 1) of one image under the same protocol as <see cref="Evaluate"/>.</summary>
    public static float[] Predict(IReadOnlyList<VggModel> models, DecodedImage image, EvaluationOptions options) =>
        Predict(models, [image], options)[0];

    /// <summary>
    /// The posterior of one image under one model, by <paramref name="options"/> or by default the centre crop at the
    /// model's input size, as <see cref="Predict(IReadOnlyList{VggModel}, DecodedImage, EvaluationOptions)"/> does for an ensemble.
    /// </summary>
    public static float[] Predict(VggModel model, DecodedImage image, EvaluationOptions? options = null) =>
        Predict([model], image, options ?? new EvaluationOptions());

    /// <summary>The posterior of each image, as <see cref="Predict(IReadOnlyList{VggModel}, DecodedImage, EvaluationOptions)"/>, preparing the models once.</summary>
    public static float[][] Predict(IReadOnlyList<VggModel> models, IReadOnlyList<DecodedImage> images, EvaluationOptions options,
        CancellationToken cancellation = default)
    {
        using var ensemble = new Ensemble(models, options);
        var posteriors = new List<float[]>(images.Count);
        for (int start = 0; start < images.Count; start += ensemble.ImagesPerStep)
        {
            var step = images.Skip(start).Take(ensemble.ImagesPerStep).Select(ensemble.Rescale).ToList();
            posteriors.AddRange(ensemble.Posteriors(step, cancellation));
        }
        return posteriors.ToArray();
    }
}
