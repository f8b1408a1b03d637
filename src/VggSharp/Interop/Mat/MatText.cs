namespace VggSharp.Interop.Mat;

/// <summary>A char array, as its rows (a 1xN array is one string; an RxC array, R strings padded with spaces, trimmed).</summary>
internal sealed record MatText(long[] Dimensions, IReadOnlyList<string> Rows) : MatValue(Dimensions)
{
    /// <summary>The text of a one-row array (or an empty array's empty string), or null for several rows.</summary>
    public string? Single => Rows.Count switch { 0 => "", 1 => Rows[0], _ => null };
}
