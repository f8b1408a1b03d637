namespace VggSharp.Kernels.Cuda;

/// <summary>The arithmetic the CUDA backend's convolutions and fully-connected layers use.</summary>
public enum CudaPrecision
{
    /// <summary>Strict float32: cuDNN's FMA math and cuBLAS's 32F compute, no tensor-core rounding.</summary>
    Fp32,

    /// <summary>
    /// Float32 data with TF32 tensor-core products (10-bit mantissas, float32 sums), as PyTorch's cuDNN default:
    /// cuDNN's tensor-op math and cuBLAS's CUBLAS_COMPUTE_32F_FAST_TF32.
    /// </summary>
    Tf32,
}
