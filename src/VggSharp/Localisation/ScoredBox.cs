namespace VggSharp.Localisation;

/// <summary>A predicted box with its confidence (a class posterior, or the sum of those merged into it).</summary>
/// <param name="Box">The box.</param>
/// <param name="Score">Its confidence.</param>
public readonly record struct ScoredBox(BoundingBox Box, double Score);
