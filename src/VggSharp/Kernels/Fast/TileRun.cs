namespace VggSharp.Kernels.Fast;

/// <summary>Tiles [Column, Column + Count) of tile row <c>Row</c> of image <c>Image</c>, at <c>Position</c> in their block.</summary>
internal readonly record struct TileRun(int Image, int Row, int Column, int Count, int Position);
