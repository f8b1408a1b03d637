using System.Runtime.InteropServices;

namespace VggSharp.Kernels.Cuda;

/// <summary>The NVRTC calls that compile the backend's CUDA C to a CUBIN (nvrtc.h); every call returns an nvrtcResult.</summary>
internal static unsafe partial class Nvrtc
{
    public const int Success = 0;

    /// <summary>Throws a <see cref="CudaException"/> naming <paramref name="call"/> unless <paramref name="result"/> is NVRTC_SUCCESS.</summary>
    public static void Check(int result, string call)
    {
        if (result != Success) throw new CudaException(call, result, Marshal.PtrToStringUTF8(GetErrorString(result)) ?? "unknown nvrtcResult");
    }

    [LibraryImport(CudaLibraryNames.Rtc, EntryPoint = "nvrtcGetErrorString")]
    public static partial nint GetErrorString(int result);

    [LibraryImport(CudaLibraryNames.Rtc, EntryPoint = "nvrtcCreateProgram", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int CreateProgram(nint* program, string source, string name, int headerCount, byte** headers, byte** includeNames);

    [LibraryImport(CudaLibraryNames.Rtc, EntryPoint = "nvrtcCompileProgram")]
    public static partial int CompileProgram(nint program, int optionCount, byte** options);

    [LibraryImport(CudaLibraryNames.Rtc, EntryPoint = "nvrtcGetProgramLogSize")]
    public static partial int GetProgramLogSize(nint program, nuint* size);

    [LibraryImport(CudaLibraryNames.Rtc, EntryPoint = "nvrtcGetProgramLog")]
    public static partial int GetProgramLog(nint program, byte* log);

    [LibraryImport(CudaLibraryNames.Rtc, EntryPoint = "nvrtcGetCUBINSize")]
    public static partial int GetCubinSize(nint program, nuint* size);

    [LibraryImport(CudaLibraryNames.Rtc, EntryPoint = "nvrtcGetCUBIN")]
    public static partial int GetCubin(nint program, byte* cubin);

    [LibraryImport(CudaLibraryNames.Rtc, EntryPoint = "nvrtcDestroyProgram")]
    public static partial int DestroyProgram(nint* program);
}
