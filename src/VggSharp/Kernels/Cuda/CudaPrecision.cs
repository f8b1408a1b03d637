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

    /// <summary>
    /// Mixed precision, as PyTorch's bfloat16 autocast with channels-last tensors: convolutions and fully-connected layers
    /// on bf16 tensor cores (float32 sums), activations and their gradients kept in bf16 (channels last for image
    /// batches), float32 master weights, gradients, optimizer state, batch-norm statistics and loss; everything else in
    /// float32 as <see cref="Tf32"/>.
    /// </summary>
    Bf16,
}
