namespace VggSharp.Kernels;

/// <summary>
/// Parameters of cross-channel local response normalisation. The defaults are Krizhevsky et al.'s, which the
/// VGG paper uses for A-LRN. Alpha is divided by <see cref="Size"/>, as Caffe, PyTorch and ONNX do, so weights
/// interchange with them.
/// </summary>
/// <param name="Size">Number of neighbouring channels summed over (odd).</param>
/// <param name="Alpha">Scaling of the sum of squares.</param>
/// <param name="Beta">Exponent.</param>
/// <param name="K">Additive constant.</param>
public readonly record struct LrnParameters(int Size = 5, float Alpha = 1e-4f, float Beta = 0.75f, float K = 2f)
{
    /// <summary>Krizhevsky's values: size 5, alpha 1e-4, beta 0.75, k 2.</summary>
    public static LrnParameters Krizhevsky => new(5, 1e-4f, 0.75f, 2f);
}
