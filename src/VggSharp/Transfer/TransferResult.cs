using VggSharp.Data;

namespace VggSharp.Transfer;

/// <summary>
/// A transfer experiment's results: each split's, and over the splits the mean and standard deviation of the mean
/// class recall (the paper's Caltech figures) and of the mAP (its VOC figures), with the descriptor's length, the
/// scales each model ran at, the time taken and the images that could not be decoded.
/// </summary>
public sealed record TransferResult(
    IReadOnlyList<TransferSplitResult> Splits,
    IReadOnlyList<string> ClassNames,
    int FeatureDimension,
    IReadOnlyList<int[]> Scales,
    int TestImages,
    double FeatureSeconds,
    double SvmSeconds,
    IReadOnlyList<BadImage> BadImages)
{
    /// <summary>The mean class recall's mean over the splits and its standard deviation.</summary>
    public (double Mean, double StandardDeviation) MeanClassRecall => TransferMetrics.MeanAndDeviation([.. Splits.Select(s => s.MeanClassRecall)]);

    /// <summary>The 11-point mAP's mean over the splits and its standard deviation.</summary>
    public (double Mean, double StandardDeviation) MeanElevenPointAp => TransferMetrics.MeanAndDeviation([.. Splits.Select(s => s.MeanElevenPointAp)]);

    /// <summary>The mean area under the precision-recall curves' mean over the splits and its standard deviation.</summary>
    public (double Mean, double StandardDeviation) MeanAreaAp => TransferMetrics.MeanAndDeviation([.. Splits.Select(s => s.MeanAreaAp)]);
}
