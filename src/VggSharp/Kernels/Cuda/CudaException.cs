namespace VggSharp.Kernels.Cuda;

/// <summary>A CUDA driver, cuBLAS, cuDNN or NVRTC call that returned an error status: names the call, the code and its meaning.</summary>
public sealed class CudaException : Exception
{
    /// <summary>Creates the exception for <paramref name="call"/>, which returned <paramref name="status"/>.</summary>
    public CudaException(string call, int status, string meaning)
        : base($"{call} failed with status {status} ({meaning}).")
    {
        Call = call;
        Status = status;
    }

    /// <summary>The library function that failed, e.g. "cudnnConvolutionForward".</summary>
    public string Call { get; }

    /// <summary>The status code it returned.</summary>
    public int Status { get; }
}
