using System.Runtime.InteropServices;

namespace VggSharp.Kernels.Cuda;

/// <summary>The cuBLAS calls the backend uses (cublas_api.h, exports with _v2 where the header maps to them); every call returns a cublasStatus_t.</summary>
internal static unsafe partial class Cublas
{
    public const int Success = 0;
    public const int OpN = 0, OpT = 1;
    public const int DefaultMath = 0;
    public const int DataFloat = 0, DataBFloat16 = 14;
    public const int Compute32F = 68, Compute32FFastTf32 = 77;
    public const int GemmDefault = -1;

    /// <summary>Throws a <see cref="CudaException"/> naming <paramref name="call"/> unless <paramref name="status"/> is CUBLAS_STATUS_SUCCESS.</summary>
    public static void Check(int status, string call)
    {
        if (status != Success) throw new CudaException(call, status, Marshal.PtrToStringUTF8(GetStatusString(status)) ?? "unknown cublasStatus_t");
    }

    [LibraryImport(CudaLibraryNames.Blas, EntryPoint = "cublasGetStatusString")]
    public static partial nint GetStatusString(int status);

    [LibraryImport(CudaLibraryNames.Blas, EntryPoint = "cublasCreate_v2")]
    public static partial int Create(nint* handle);

    [LibraryImport(CudaLibraryNames.Blas, EntryPoint = "cublasSetStream_v2")]
    public static partial int SetStream(nint handle, nint stream);

    [LibraryImport(CudaLibraryNames.Blas, EntryPoint = "cublasSetMathMode")]
    public static partial int SetMathMode(nint handle, int mode);

    /// <summary>C = alpha op(A) op(B) + beta C, column-major; alpha and beta are host floats for the 32F compute types.</summary>
    [LibraryImport(CudaLibraryNames.Blas, EntryPoint = "cublasGemmEx")]
    public static partial int GemmEx(nint handle, int transA, int transB, int m, int n, int k,
        float* alpha, nint a, int aType, int lda, nint b, int bType, int ldb,
        float* beta, nint c, int cType, int ldc, int computeType, int algorithm);
}
