using System.Runtime.InteropServices;

namespace VggSharp.Kernels.Cuda;

/// <summary>
/// The CUDA driver API calls the backend uses (cuda.h; exports with the _v2 suffix where the header maps the name to
/// one). Handles (CUcontext, CUstream, CUmodule, CUfunction, CUevent) and device addresses (CUdeviceptr, 64-bit) are
/// <see cref="nint"/>; every call returns a CUresult, which <see cref="Check"/> turns into a <see cref="CudaException"/>.
/// </summary>
internal static unsafe partial class CudaDriver
{
    public const int Success = 0;
    public const int ErrorOutOfMemory = 2;
    public const int AttributeComputeCapabilityMajor = 75;
    public const int AttributeComputeCapabilityMinor = 76;
    public const uint EventDisableTiming = 2;

    /// <summary>Throws a <see cref="CudaException"/> naming <paramref name="call"/> unless <paramref name="result"/> is CUDA_SUCCESS.</summary>
    public static void Check(int result, string call)
    {
        if (result != Success) throw new CudaException(call, result, Describe(result));
    }

    /// <summary>The driver's name and description of a CUresult ("CUDA_ERROR_OUT_OF_MEMORY: out of memory").</summary>
    public static string Describe(int result)
    {
        byte* name = null, text = null;
        string n = GetErrorName(result, &name) == Success && name != null ? Marshal.PtrToStringUTF8((nint)name)! : "unknown CUresult";
        string t = GetErrorString(result, &text) == Success && text != null ? Marshal.PtrToStringUTF8((nint)text)! : "";
        return t.Length > 0 ? $"{n}: {t}" : n;
    }

    [LibraryImport(CudaLibraryNames.Driver, EntryPoint = "cuInit")]
    public static partial int Init(uint flags);

    [LibraryImport(CudaLibraryNames.Driver, EntryPoint = "cuGetErrorName")]
    public static partial int GetErrorName(int result, byte** name);

    [LibraryImport(CudaLibraryNames.Driver, EntryPoint = "cuGetErrorString")]
    public static partial int GetErrorString(int result, byte** text);

    [LibraryImport(CudaLibraryNames.Driver, EntryPoint = "cuDeviceGetCount")]
    public static partial int DeviceGetCount(int* count);

    [LibraryImport(CudaLibraryNames.Driver, EntryPoint = "cuDeviceGet")]
    public static partial int DeviceGet(int* device, int ordinal);

    [LibraryImport(CudaLibraryNames.Driver, EntryPoint = "cuDeviceGetName")]
    public static partial int DeviceGetName(byte* name, int length, int device);

    [LibraryImport(CudaLibraryNames.Driver, EntryPoint = "cuDeviceGetAttribute")]
    public static partial int DeviceGetAttribute(int* value, int attribute, int device);

    [LibraryImport(CudaLibraryNames.Driver, EntryPoint = "cuDevicePrimaryCtxRetain")]
    public static partial int DevicePrimaryCtxRetain(nint* context, int device);

    [LibraryImport(CudaLibraryNames.Driver, EntryPoint = "cuCtxSetCurrent")]
    public static partial int CtxSetCurrent(nint context);

    [LibraryImport(CudaLibraryNames.Driver, EntryPoint = "cuMemGetInfo_v2")]
    public static partial int MemGetInfo(nuint* free, nuint* total);

    [LibraryImport(CudaLibraryNames.Driver, EntryPoint = "cuMemAlloc_v2")]
    public static partial int MemAlloc(nint* pointer, nuint bytes);

    [LibraryImport(CudaLibraryNames.Driver, EntryPoint = "cuMemFree_v2")]
    public static partial int MemFree(nint pointer);

    [LibraryImport(CudaLibraryNames.Driver, EntryPoint = "cuMemAllocHost_v2")]
    public static partial int MemAllocHost(void** pointer, nuint bytes);

    [LibraryImport(CudaLibraryNames.Driver, EntryPoint = "cuMemFreeHost")]
    public static partial int MemFreeHost(void* pointer);

    [LibraryImport(CudaLibraryNames.Driver, EntryPoint = "cuMemcpyHtoDAsync_v2")]
    public static partial int MemcpyHtoDAsync(nint destination, void* source, nuint bytes, nint stream);

    [LibraryImport(CudaLibraryNames.Driver, EntryPoint = "cuMemcpyDtoHAsync_v2")]
    public static partial int MemcpyDtoHAsync(void* destination, nint source, nuint bytes, nint stream);

    [LibraryImport(CudaLibraryNames.Driver, EntryPoint = "cuMemcpyDtoDAsync_v2")]
    public static partial int MemcpyDtoDAsync(nint destination, nint source, nuint bytes, nint stream);

    [LibraryImport(CudaLibraryNames.Driver, EntryPoint = "cuMemsetD8Async")]
    public static partial int MemsetD8Async(nint destination, byte value, nuint count, nint stream);

    [LibraryImport(CudaLibraryNames.Driver, EntryPoint = "cuMemsetD32Async")]
    public static partial int MemsetD32Async(nint destination, uint value, nuint count, nint stream);

    [LibraryImport(CudaLibraryNames.Driver, EntryPoint = "cuStreamCreate")]
    public static partial int StreamCreate(nint* stream, uint flags);

    [LibraryImport(CudaLibraryNames.Driver, EntryPoint = "cuStreamSynchronize")]
    public static partial int StreamSynchronize(nint stream);

    [LibraryImport(CudaLibraryNames.Driver, EntryPoint = "cuEventCreate")]
    public static partial int EventCreate(nint* evt, uint flags);

    [LibraryImport(CudaLibraryNames.Driver, EntryPoint = "cuEventRecord")]
    public static partial int EventRecord(nint evt, nint stream);

    [LibraryImport(CudaLibraryNames.Driver, EntryPoint = "cuEventSynchronize")]
    public static partial int EventSynchronize(nint evt);

    [LibraryImport(CudaLibraryNames.Driver, EntryPoint = "cuModuleLoadData")]
    public static partial int ModuleLoadData(nint* module, void* image);

    [LibraryImport(CudaLibraryNames.Driver, EntryPoint = "cuModuleGetFunction", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ModuleGetFunction(nint* function, nint module, string name);

    [LibraryImport(CudaLibraryNames.Driver, EntryPoint = "cuLaunchKernel")]
    public static partial int LaunchKernel(nint function, uint gridX, uint gridY, uint gridZ, uint blockX, uint blockY, uint blockZ,
        uint sharedMemoryBytes, nint stream, void** parameters, void** extra);
}
