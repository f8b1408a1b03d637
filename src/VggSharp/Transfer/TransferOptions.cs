using VggSharp.Data;

namespace VggSharp.Transfer;

/// <summary>A transfer experiment (the paper's Appendix B): the features, the SVMs and the Caltech protocol's splits.</summary>
public sealed record TransferOptions
{
    /// <summary>The descriptors the SVMs learn from.</summary>
    public FeatureOptions Features { get; init; } = new();

    /// <summary>The SVMs, and whether C is given or cross-validated.</summary>
    public SvmOptions Svm { get; init; } = new();

    /// <summary>
    /// The Caltech protocol's N: training images drawn at random from each class, for each of <see cref="Splits"/>
    /// splits. Null trains on every training image (a single split).
    /// </summary>
    public int? PerClass { get; init; }

    /// <summary>The number of random splits K; results are their mean and standard deviation. Default 1.</summary>
    public int Splits { get; init; } = 1;

    /// <summary>The seed of the splits and of the cross-validation's folds.</summary>
    public ulong Seed { get; init; } = PerClassSplit.DefaultSeed;

    /// <summary>Checks every value.</summary>
    public void Validate()
    {
        Features.Validate();
        Svm.Validate();
        if (PerClass < 1) throw new ArgumentException($"The training images per class must be at least 1, got {PerClass}.");
        if (Splits < 1) throw new ArgumentException($"The number of splits must be at least 1, got {Splits}.");
        if (PerClass is null && Splits > 1) throw new ArgumentException("Several splits need a number of training images per class to draw.");
    }
}
