namespace VggSharp.Kernels.Fast;

/// <summary>How <see cref="FastBackend"/> computes convolutions. Each gives results within float32 rounding of the others, not the same bits.</summary>
public enum ConvolutionAlgorithm
{
    /// <summary>
    /// Winograd F(4x4, 3x3) for the 3x3 convolutions where it was measured to be faster, im2col and GEMM for the rest.
    /// The choice depends on the shape alone, so results still do not depend on the thread count.
    /// </summary>
    Auto,

    /// <summary>im2col and GEMM for every convolution.</summary>
    Im2Col,

    /// <summary>Winograd F(4x4, 3x3) for every convolution it can compute (3x3 kernels, padding up to 2), im2col for the rest.</summary>
    Winograd,
}
