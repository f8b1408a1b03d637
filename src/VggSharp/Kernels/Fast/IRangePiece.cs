namespace VggSharp.Kernels.Fast;

/// <summary>A parallel job over a range of indices, handed contiguous sub-ranges by <see cref="Workers.ForRanges"/>.</summary>
internal interface IRangePiece
{
    /// <summary>Does indices [<paramref name="start"/>, <paramref name="start"/> + <paramref name="length"/>).</summary>
    void Run(int start, int length);
}
