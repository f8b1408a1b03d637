namespace VggSharp.Kernels.Fast;

/// <summary>A row-major float matrix in fixed memory: row r starts at <c>Data + r * Stride</c>.</summary>
internal readonly unsafe struct StridedMatrix(float* data, int stride)
{
    public float* Data { get; } = data;

    public int Stride { get; } = stride;
}
