namespace VggSharp.Transfer;

/// <summary>How the linear SVMs of a transfer experiment are trained (liblinear's hinge-loss SVM, one per class).</summary>
public sealed record SvmOptions
{
    /// <summary>The cost C of a margin violation; null to choose it from <see cref="CGrid"/> by cross-validation on the training images.</summary>
    public double? C { get; init; }

    /// <summary>The values of C cross-validation tries. Default 10^-2 to 10^3 by factors of 10.</summary>
    public double[] CGrid { get; init; } = [0.01, 0.1, 1, 10, 100, 1000];

    /// <summary>Folds of the cross-validation (fewer when a class has fewer training images). Default 5.</summary>
    public int Folds { get; init; } = 5;

    /// <summary>liblinear's stopping tolerance. Default 0.01.</summary>
    public double Tolerance { get; init; } = 0.01;

    /// <summary>Checks every value.</summary>
    public void Validate()
    {
        if (C is { } c && !(c > 0 && double.IsFinite(c))) throw new ArgumentException($"C must be positive, got {c}.");
        if (C is null && (CGrid.Length == 0 || CGrid.Any(v => !(v > 0 && double.IsFinite(v)))))
            throw new ArgumentException("The grid of C values to cross-validate must hold positive numbers.");
        if (Folds < 2) throw new ArgumentException($"Cross-validation needs at least 2 folds, got {Folds}.");
        if (!(Tolerance > 0)) throw new ArgumentException($"The tolerance must be positive, got {Tolerance}.");
    }
}
