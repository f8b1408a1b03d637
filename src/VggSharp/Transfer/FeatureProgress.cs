namespace VggSharp.Transfer;

/// <summary>How far a feature extraction has got: <paramref name="Images"/> of <paramref name="Total"/> images described.</summary>
public sealed record FeatureProgress(int Images, int Total);
