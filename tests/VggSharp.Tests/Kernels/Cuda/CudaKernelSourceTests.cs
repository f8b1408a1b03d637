using VggSharp.Kernels.Cuda;
using Xunit;

namespace VggSharp.Tests.Kernels.Cuda;

/// <summary>The embedded CUDA C compiles with NVRTC (which needs no GPU) to an ELF CUBIN for the GPU machine's Hopper.</summary>
public class CudaKernelSourceTests
{
    [Fact]
    public void TheSourceIsEmbeddedWithEveryKernelTheBackendLoads()
    {
        string source = CudaKernels.Source();
        foreach (string kernel in new[] { "scale_f32", "multiply_f32", "relu_forward", "relu_backward", "sgd_update", "dropout_mask",
                     "max_pool_forward", "max_pool_backward", "lrn_forward", "lrn_backward", "softmax_cross_entropy", "softmax_totals", "convert", "bias_add",
                     "sum_rows", "relu_forward_bf16", "relu_backward_bf16", "multiply_bf16_f32", "max_pool_forward_nhwc", "max_pool_backward_nhwc" })
            Assert.Contains($"extern \"C\" __global__ void {kernel}(", source);
    }

    [NvrtcFact]
    public void CompilesToACubinForSm90()
    {
        byte[] cubin = CudaKernels.Compile(9, 0);
        Assert.True(cubin.Length > 1000, $"a CUBIN of {cubin.Length} bytes");
        Assert.Equal("\u007fELF"u8.ToArray(), cubin[..4]);
    }
}
