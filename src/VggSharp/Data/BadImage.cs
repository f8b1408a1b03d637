namespace VggSharp.Data;

/// <summary>An image that could not be used: which one, and why. Training reports it and goes on.</summary>
/// <param name="Index">Its index in the data set.</param>
/// <param name="Source">Its path (or file and record).</param>
/// <param name="Reason">What was wrong.</param>
public sealed record BadImage(int Index, string Source, string Reason);
