namespace VggSharp.Kernels.Cuda;

/// <summary>The logical library names the P/Invoke bindings use; <see cref="CudaLibraryResolver"/> maps them to files.</summary>
internal static class CudaLibraryNames
{
    public const string Driver = "cuda";
    public const string Runtime = "cudart";
    public const string Blas = "cublas";
    public const string Dnn = "cudnn";
    public const string Rtc = "nvrtc";
}
