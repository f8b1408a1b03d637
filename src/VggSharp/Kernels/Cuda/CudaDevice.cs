using System.Runtime.InteropServices;

namespace VggSharp.Kernels.Cuda;

/// <summary>
/// One GPU as the backend uses it: the device's primary context (the one cuBLAS and cuDNN use too), one stream that
/// every copy, kernel, cuBLAS and cuDNN call of the backend is queued on, and the cuBLAS and cuDNN handles bound to it.
/// It also holds the device's memory pool, pinned staging and compiled kernels, which every backend on it shares (so
/// that tensors pass between backends of different precisions on the stream they share). Opened once per ordinal.
/// The driver's current context is per thread, so every entry point calls <see cref="MakeCurrent"/> first.
/// </summary>
internal sealed unsafe class CudaDevice
{
    private const long StagingBytes = 256L << 20;
    private static readonly Dictionary<int, CudaDevice> Opened = [];
    private static readonly Lock Gate = new();
    [ThreadStatic] private static nint _currentContext;

    private CudaDevice(int ordinal, nint context, nint stream, nint blas, nint dnn, string name, int major, int minor)
    {
        (Ordinal, Context, Stream, Blas, Dnn, Name, ComputeMajor, ComputeMinor) = (ordinal, context, stream, blas, dnn, name, major, minor);
        Pool = new CudaMemoryPool(this);
        Staging = new PinnedStaging(this, StagingBytes);
        Kernels = new CudaKernels(this);
    }

    /// <summary>The device's caching allocator.</summary>
    public CudaMemoryPool Pool { get; }

    /// <summary>The device's pinned upload ring.</summary>
    public PinnedStaging Staging { get; }

    /// <summary>VggSharp's own kernels, loaded on this device.</summary>
    public CudaKernels Kernels { get; }

    /// <summary>The device's ordinal.</summary>
    public int Ordinal { get; }

    /// <summary>The device's primary context.</summary>
    public nint Context { get; }

    /// <summary>The stream all the backend's work is queued on.</summary>
    public nint Stream { get; }

    /// <summary>The cuBLAS handle, on <see cref="Stream"/>.</summary>
    public nint Blas { get; }

    /// <summary>The cuDNN handle, on <see cref="Stream"/>.</summary>
    public nint Dnn { get; }

    /// <summary>The device's name, e.g. "NVIDIA H200".</summary>
    public string Name { get; }

    /// <summary>The compute capability's major number (9 for Hopper).</summary>
    public int ComputeMajor { get; }

    /// <summary>The compute capability's minor number.</summary>
    public int ComputeMinor { get; }

    /// <summary>
    /// Device <paramref name="ordinal"/>, opened on first use: initialises the driver, takes the primary context and
    /// creates the stream, the library handles and the kernels. Throws <see cref="DllNotFoundException"/> when a library
    /// is missing and <see cref="CudaException"/> when a call fails (e.g. no device).
    /// </summary>
    public static CudaDevice Get(int ordinal)
    {
        lock (Gate)
        {
            if (!Opened.TryGetValue(ordinal, out var device)) Opened[ordinal] = device = Open(ordinal);
            return device;
        }
    }

    /// <summary>
    /// The number of CUDA devices this process sees (after CUDA_VISIBLE_DEVICES), initialising the driver. Throws as
    /// <see cref="Get"/> does when there is no driver.
    /// </summary>
    public static int Count()
    {
        CudaLibraryResolver.Register();
        CudaLibraryResolver.Load(CudaLibraryNames.Driver);
        CudaDriver.Check(CudaDriver.Init(0), "cuInit");
        int count;
        CudaDriver.Check(CudaDriver.DeviceGetCount(&count), "cuDeviceGetCount");
        return count;
    }

    private static CudaDevice Open(int ordinal)
    {
        int count = Count();
        if (ordinal < 0 || ordinal >= count)
            throw new ArgumentOutOfRangeException(nameof(ordinal), $"cuda:{ordinal} does not exist: this machine has {count} CUDA device(s).");
        int device, major, minor;
        CudaDriver.Check(CudaDriver.DeviceGet(&device, ordinal), "cuDeviceGet");
        CudaDriver.Check(CudaDriver.DeviceGetAttribute(&major, CudaDriver.AttributeComputeCapabilityMajor, device), "cuDeviceGetAttribute");
        CudaDriver.Check(CudaDriver.DeviceGetAttribute(&minor, CudaDriver.AttributeComputeCapabilityMinor, device), "cuDeviceGetAttribute");
        byte* name = stackalloc byte[256];
        CudaDriver.Check(CudaDriver.DeviceGetName(name, 256, device), "cuDeviceGetName");
        nint context, stream, blas, dnn;
        CudaDriver.Check(CudaDriver.DevicePrimaryCtxRetain(&context, device), "cuDevicePrimaryCtxRetain");
        CudaDriver.Check(CudaDriver.CtxSetCurrent(context), "cuCtxSetCurrent");
        _currentContext = context;
        CudaDriver.Check(CudaDriver.StreamCreate(&stream, 0), "cuStreamCreate");
        CudaLibraryResolver.Load(CudaLibraryNames.Blas);
        Cublas.Check(Cublas.Create(&blas), "cublasCreate_v2");
        Cublas.Check(Cublas.SetStream(blas, stream), "cublasSetStream_v2");
        Cublas.Check(Cublas.SetMathMode(blas, Cublas.DefaultMath), "cublasSetMathMode");
        CudaLibraryResolver.Load(CudaLibraryNames.Dnn);
        Cudnn.Check(Cudnn.Create(&dnn), "cudnnCreate");
        Cudnn.Check(Cudnn.SetStream(dnn, stream), "cudnnSetStream");
        return new CudaDevice(ordinal, context, stream, blas, dnn, Marshal.PtrToStringUTF8((nint)name) ?? $"cuda:{ordinal}", major, minor);
    }

    /// <summary>Makes this device's context current on the calling thread (a thread-local check when it already is).</summary>
    public void MakeCurrent()
    {
        if (_currentContext == Context) return;
        CudaDriver.Check(CudaDriver.CtxSetCurrent(Context), "cuCtxSetCurrent");
        _currentContext = Context;
    }

    /// <summary>Waits for everything queued on the stream.</summary>
    public void Synchronize()
    {
        MakeCurrent();
        CudaDriver.Check(CudaDriver.StreamSynchronize(Stream), "cuStreamSynchronize");
    }
}
