using VggSharp.Data;

namespace VggSharp.Localisation;

/// <summary>
/// The figures of a localisation test: the paper's top-1 and top-5 localisation errors (an image counts as right when
/// one of its top-k classes is its class and that class's box overlaps a ground-truth box by more than the IoU
/// threshold; NaN without a classifier), and the error with the ground-truth class given.
/// </summary>
/// <param name="Top1Error">Top-1 localisation error; NaN when no classifier ranked the classes.</param>
/// <param name="Top5Error">Top-5 localisation error; NaN when no classifier ranked the classes.</param>
/// <param name="GroundTruthClassError">The fraction of images whose box for their own class is wrong.</param>
/// <param name="Images">The images tested.</param>
/// <param name="Seconds">The time taken.</param>
/// <param name="BadImages">The images (or annotations) that could not be read, left out.</param>
public sealed record LocalisationResult(double Top1Error, double Top5Error, double GroundTruthClassError, int Images, double Seconds,
    IReadOnlyList<BadImage> BadImages);
