namespace VggSharp.Experiments;

/// <summary>The paper's ImageNet validation errors for a row, in percent (arXiv:1409.1556v6, Tables 3 to 6).</summary>
/// <param name="Top1">Top-1 validation error, %.</param>
/// <param name="Top5">Top-5 validation error, %.</param>
public sealed record PaperError(double Top1, double Top5);
