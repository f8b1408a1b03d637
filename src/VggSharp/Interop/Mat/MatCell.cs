namespace VggSharp.Interop.Mat;

/// <summary>A cell array: its elements in column-major order.</summary>
internal sealed record MatCell(long[] Dimensions, IReadOnlyList<MatValue> Elements) : MatValue(Dimensions);
