using VggSharp.Data;

namespace VggSharp.Evaluation;

/// <summary>What <see cref="Evaluator.Evaluate"/> measured over the images it could use.</summary>
/// <param name="Top1Error">The fraction of images whose highest posterior is not the true class.</param>
/// <param name="Top5Error">The fraction of images whose true class is not among the five highest posteriors.</param>
/// <param name="Confusion">True against predicted classes, with the data set's class names.</param>
/// <param name="Count">The images evaluated (bad images excluded).</param>
/// <param name="Seconds">The wall-clock time of the whole evaluation.</param>
/// <param name="BadImages">The images skipped because they could not be decoded, and why.</param>
public sealed record EvaluationResult(
    double Top1Error,
    double Top5Error,
    ConfusionMatrix Confusion,
    int Count,
    double Seconds,
    IReadOnlyList<BadImage> BadImages);
