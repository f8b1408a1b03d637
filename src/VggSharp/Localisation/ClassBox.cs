namespace VggSharp.Localisation;

/// <summary>A localisation answer: a class, its posterior, and the box predicted for it with the box's merged confidence.</summary>
/// <param name="Label">The class index.</param>
/// <param name="ClassScore">The classifier's posterior for the class (1 when no classifier was given).</param>
/// <param name="Box">The box, in the image's pixels.</param>
/// <param name="BoxScore">The confidence the merged box piled up (<see cref="GreedyBoxMerge"/>).</param>
public sealed record ClassBox(int Label, double ClassScore, BoundingBox Box, double BoxScore);
