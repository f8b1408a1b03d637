using VggSharp.Evaluation;

namespace VggSharp.Transfer;

/// <summary>
/// One split of a transfer experiment: its training images, the C used (and the cross-validation's mean class recall
/// for each C of the grid, when it chose C), and the test results: mean class recall, the confusion matrix, and each
/// class's average precision of the ranking by its SVM's scores (VOC-2007's 11-point AP and the area under the curve).
/// </summary>
public sealed record TransferSplitResult(
    int Split,
    int TrainImages,
    double C,
    IReadOnlyList<double>? CrossValidationScores,
    double MeanClassRecall,
    ConfusionMatrix Confusion,
    IReadOnlyList<double> ElevenPointAp,
    IReadOnlyList<double> AreaAp)
{
    /// <summary>The mean of the classes' 11-point APs (classes without a test image left out).</summary>
    public double MeanElevenPointAp => MeanOverClasses(ElevenPointAp);

    /// <summary>The mean of the classes' areas under the precision-recall curve (classes without a test image left out).</summary>
    public double MeanAreaAp => MeanOverClasses(AreaAp);

    private static double MeanOverClasses(IReadOnlyList<double> values)
    {
        var defined = values.Where(v => !double.IsNaN(v)).ToList();
        return defined.Count == 0 ? double.NaN : defined.Average();
    }
}
