namespace VggSharp.Experiments;

/// <summary>One seed's evaluation of a row, kept in the study's evaluations/ folder so that a study run again reuses it.</summary>
/// <param name="Seed">The seed of the row's networks.</param>
/// <param name="Top1Error">Top-1 validation error, a fraction.</param>
/// <param name="Top5Error">Top-5 validation error, a fraction.</param>
/// <param name="Images">The validation images evaluated.</param>
/// <param name="Seconds">The evaluation's wall-clock seconds.</param>
public sealed record RowEvaluation(int Seed, double Top1Error, double Top5Error, int Images, double Seconds);
