namespace VggSharp.Interop.Mat;

/// <summary>A MATLAB array read from a MAT-file: numeric, text, a cell array or a struct array; its dimensions in MATLAB's order.</summary>
/// <param name="Dimensions">The dimensions (at least two, as MATLAB has them).</param>
internal abstract record MatValue(long[] Dimensions)
{
    /// <summary>The number of elements.</summary>
    public long Count => Dimensions.Aggregate(1L, (a, b) => a * b);

    /// <summary>The dimensions as MATLAB writes them, "3x3x64x128".</summary>
    public string DimensionsText => string.Join("x", Dimensions);
}
