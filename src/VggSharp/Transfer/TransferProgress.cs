namespace VggSharp.Transfer;

/// <summary>How far a transfer experiment has got: <paramref name="Done"/> of <paramref name="Total"/> in <paramref name="Stage"/>.</summary>
/// <param name="Stage">"train features", "test features" or "splits".</param>
/// <param name="Done">Images described, or splits finished.</param>
/// <param name="Total">Images to describe, or splits.</param>
public sealed record TransferProgress(string Stage, int Done, int Total);
