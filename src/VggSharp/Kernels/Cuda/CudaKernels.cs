using System.Runtime.InteropServices;

namespace VggSharp.Kernels.Cuda;

/// <summary>
/// VggSharp's own kernels (kernels.cu, an embedded resource), compiled with NVRTC to a CUBIN for the device's own
/// architecture (sm_XY, which avoids PTX newer than the driver), loaded into the primary context and launched on the
/// device's stream. Each launcher takes device addresses and sizes as the kernel declares them (int, long long, float).
/// </summary>
internal sealed unsafe class CudaKernels
{
    private const uint BlockSize = 256, MaxBlocks = 8192;
    private const string ResourceName = "VggSharp.Kernels.Cuda.kernels.cu";

    private readonly CudaDevice _device;
    private readonly nint _scale, _multiply, _reluForward, _reluBackward, _sgdUpdate, _dropoutMask, _maxPoolForward, _maxPoolBackward,
        _lrnForward, _lrnBackward, _softmaxCrossEntropy, _softmaxTotals, _convert, _biasAdd, _sumRows,
        _reluForwardBf16, _reluBackwardBf16, _multiplyBf16F32, _maxPoolForwardNhwc, _maxPoolBackwardNhwc;

    /// <summary>Compiles the kernels for <paramref name="device"/> and loads them.</summary>
    public CudaKernels(CudaDevice device)
    {
        _device = device;
        byte[] cubin = Compile(device.ComputeMajor, device.ComputeMinor);
        nint module = Load(device, cubin);
        nint Function(string name)
        {
            nint function;
            CudaDriver.Check(CudaDriver.ModuleGetFunction(&function, module, name), $"cuModuleGetFunction({name})");
            return function;
        }
        _scale = Function("scale_f32");
        _multiply = Function("multiply_f32");
        _reluForward = Function("relu_forward");
        _reluBackward = Function("relu_backward");
        _sgdUpdate = Function("sgd_update");
        _dropoutMask = Function("dropout_mask");
        _maxPoolForward = Function("max_pool_forward");
        _maxPoolBackward = Function("max_pool_backward");
        _lrnForward = Function("lrn_forward");
        _lrnBackward = Function("lrn_backward");
        _softmaxCrossEntropy = Function("softmax_cross_entropy");
        _softmaxTotals = Function("softmax_totals");
        _convert = Function("convert");
        _biasAdd = Function("bias_add");
        _sumRows = Function("sum_rows");
        _reluForwardBf16 = Function("relu_forward_bf16");
        _reluBackwardBf16 = Function("relu_backward_bf16");
        _multiplyBf16F32 = Function("multiply_bf16_f32");
        _maxPoolForwardNhwc = Function("max_pool_forward_nhwc");
        _maxPoolBackwardNhwc = Function("max_pool_backward_nhwc");
    }

    private static nint Load(CudaDevice device, byte[] cubin)
    {
        nint module;
        device.MakeCurrent();
        fixed (byte* image = cubin) CudaDriver.Check(CudaDriver.ModuleLoadData(&module, image), "cuModuleLoadData");
        return module;
    }

    /// <summary>The CUDA C source of the kernels.</summary>
    public static string Source()
    {
        using var stream = typeof(CudaKernels).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The assembly lacks its embedded {ResourceName}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// Compiles <see cref="Source"/> with NVRTC to a CUBIN for compute capability major.minor; FMA contraction is off
    /// (--fmad=false) so that the element-wise kernels round as the CPU does. Throws a <see cref="CudaException"/> with
    /// NVRTC's log when compilation fails.
    /// </summary>
    public static byte[] Compile(int major, int minor)
    {
        CudaLibraryResolver.Register();
        CudaLibraryResolver.Load(CudaLibraryNames.Rtc);
        nint program;
        Nvrtc.Check(Nvrtc.CreateProgram(&program, Source(), "kernels.cu", 0, null, null), "nvrtcCreateProgram");
        try
        {
            string[] options = [$"--gpu-architecture=sm_{major}{minor}", "--fmad=false"];
            var encoded = options.Select(o => Marshal.StringToCoTaskMemUTF8(o)).ToArray();
            try
            {
                byte** pointers = stackalloc byte*[encoded.Length];
                for (int i = 0; i < encoded.Length; i++) pointers[i] = (byte*)encoded[i];
                int result = Nvrtc.CompileProgram(program, encoded.Length, pointers);
                if (result != Nvrtc.Success)
                    throw new CudaException("nvrtcCompileProgram", result, $"{Marshal.PtrToStringUTF8(Nvrtc.GetErrorString(result))}; log: {Log(program)}");
            }
            finally
            {
                foreach (nint o in encoded) Marshal.FreeCoTaskMem(o);
            }
            nuint size;
            Nvrtc.Check(Nvrtc.GetCubinSize(program, &size), "nvrtcGetCUBINSize");
            var cubin = new byte[(int)size];
            fixed (byte* target = cubin) Nvrtc.Check(Nvrtc.GetCubin(program, target), "nvrtcGetCUBIN");
            return cubin;
        }
        finally
        {
            Nvrtc.DestroyProgram(&program);
        }
    }

    public void Scale(nint x, float factor, long n)
    {
        void** args = stackalloc void*[] { &x, &factor, &n };
        Launch(_scale, n, args);
    }

    public void Multiply(nint a, nint b, nint y, long n)
    {
        void** args = stackalloc void*[] { &a, &b, &y, &n };
        Launch(_multiply, n, args);
    }

    public void ReluForward(nint x, nint y, long n)
    {
        void** args = stackalloc void*[] { &x, &y, &n };
        Launch(_reluForward, n, args);
    }

    public void ReluBackward(nint y, nint dy, nint dx, long n)
    {
        void** args = stackalloc void*[] { &y, &dy, &dx, &n };
        Launch(_reluBackward, n, args);
    }

    public void SgdUpdate(nint w, nint g, nint v, float learningRate, float momentum, float decay, long n)
    {
        void** args = stackalloc void*[] { &w, &g, &v, &learningRate, &momentum, &decay, &n };
        Launch(_sgdUpdate, n, args);
    }

    public void DropoutMask(nint mask, nint keys, long itemSize, long n, float probability, float keep)
    {
        void** args = stackalloc void*[] { &mask, &keys, &itemSize, &n, &probability, &keep };
        Launch(_dropoutMask, n, args);
    }

    public void MaxPoolForward(nint x, nint y, nint argmax, int h, int w, long outputs)
    {
        void** args = stackalloc void*[] { &x, &y, &argmax, &h, &w, &outputs };
        Launch(_maxPoolForward, outputs, args);
    }

    public void MaxPoolBackward(nint dy, nint argmax, nint dx, int h, int w, long outputs)
    {
        void** args = stackalloc void*[] { &dy, &argmax, &dx, &h, &w, &outputs };
        Launch(_maxPoolBackward, outputs, args);
    }

    public void LrnForward(nint x, nint y, nint scale, int channels, int spatial, LrnParameters p, long n)
    {
        int size = p.Size;
        float alpha = p.Alpha, beta = p.Beta, k = p.K;
        void** args = stackalloc void*[] { &x, &y, &scale, &channels, &spatial, &size, &alpha, &beta, &k, &n };
        Launch(_lrnForward, n, args);
    }

    public void LrnBackward(nint x, nint y, nint scale, nint dy, nint dx, int channels, int spatial, LrnParameters p, long n)
    {
        int size = p.Size;
        float alpha = p.Alpha, beta = p.Beta;
        void** args = stackalloc void*[] { &x, &y, &scale, &dy, &dx, &channels, &spatial, &size, &alpha, &beta, &n };
        Launch(_lrnBackward, n, args);
    }

    public void SoftmaxCrossEntropy(nint logits, nint labels, nint probabilities, nint grad, nint rowLoss, nint rowCorrect, int rows, int classes,
        float share, nint totals)
    {
        void** args = stackalloc void*[] { &logits, &labels, &probabilities, &grad, &rowLoss, &rowCorrect, &rows, &classes, &share };
        Launch(_softmaxCrossEntropy, rows, args);
        void** totalArgs = stackalloc void*[] { &rowLoss, &rowCorrect, &rows, &totals };
        Launch(_softmaxTotals, 1, totalArgs);
    }

    /// <summary>
    /// y = x (or y += x for a float32 y, with <paramref name="accumulate"/>) for n elements of an [items, channels, spatial]
    /// tensor, between element types (0 float32, 1 bf16) and layouts (channels last or not).
    /// </summary>
    public void Convert(nint x, int xType, bool xLast, nint y, int yType, bool yLast, bool accumulate, int channels, long spatial, long n)
    {
        int xl = xLast ? 1 : 0, yl = yLast ? 1 : 0, acc = accumulate ? 1 : 0;
        void** args = stackalloc void*[] { &x, &xType, &xl, &y, &yType, &yl, &acc, &channels, &spatial, &n };
        Launch(_convert, n, args);
    }

    /// <summary>y[j] += b[j mod channels] for y of <paramref name="type"/> (0 float32, 1 bf16) whose channel is innermost.</summary>
    public void BiasAdd(nint y, int type, nint b, int channels, long n)
    {
        void** args = stackalloc void*[] { &y, &type, &b, &channels, &n };
        Launch(_biasAdd, n, args);
    }

    /// <summary>
    /// out[chunk, c] = (or += with <paramref name="accumulate"/>) the sum over rows [chunk * rowsPerChunk, ...) of x[row, c]
    /// for x [rows, channels] of <paramref name="type"/> (0 float32, 1 bf16), in a fixed order.
    /// </summary>
    public void SumRows(nint x, int type, nint output, bool accumulate, int channels, long rows, long rowsPerChunk)
    {
        int acc = accumulate ? 1 : 0;
        uint chunks = checked((uint)((rows + rowsPerChunk - 1) / rowsPerChunk)), tiles = checked((uint)((channels + 31) / 32));
        void** args = stackalloc void*[] { &x, &type, &output, &acc, &channels, &rows, &rowsPerChunk };
        _device.MakeCurrent();
        CudaDriver.Check(CudaDriver.LaunchKernel(_sumRows, chunks, tiles, 1, BlockSize, 1, 1, 0, _device.Stream, args, null), "cuLaunchKernel(sum_rows)");
    }

    public void ReluForwardBf16(nint x, nint y, long n)
    {
        void** args = stackalloc void*[] { &x, &y, &n };
        Launch(_reluForwardBf16, n, args);
    }

    public void ReluBackwardBf16(nint y, nint dy, nint dx, long n)
    {
        void** args = stackalloc void*[] { &y, &dy, &dx, &n };
        Launch(_reluBackwardBf16, n, args);
    }

    public void MultiplyBf16F32(nint a, nint b, nint y, long n)
    {
        void** args = stackalloc void*[] { &a, &b, &y, &n };
        Launch(_multiplyBf16F32, n, args);
    }

    public void MaxPoolForwardNhwc(nint x, int type, nint y, nint argmax, int channels, int h, int w, long outputs)
    {
        void** args = stackalloc void*[] { &x, &type, &y, &argmax, &channels, &h, &w, &outputs };
        Launch(_maxPoolForwardNhwc, outputs, args);
    }

    public void MaxPoolBackwardNhwc(nint dy, int type, nint argmax, nint dx, int channels, int h, int w, long inputs)
    {
        void** args = stackalloc void*[] { &dy, &type, &argmax, &dx, &channels, &h, &w, &inputs };
        Launch(_maxPoolBackwardNhwc, inputs, args);
    }

    /// <summary>Launches a grid-stride kernel over <paramref name="elements"/> elements on the device's stream.</summary>
    private void Launch(nint function, long elements, void** args)
    {
        if (elements <= 0) return;
        uint blocks = (uint)Math.Min((elements + BlockSize - 1) / BlockSize, MaxBlocks);
        _device.MakeCurrent();
        CudaDriver.Check(CudaDriver.LaunchKernel(function, blocks, 1, 1, BlockSize, 1, 1, 0, _device.Stream, args, null), "cuLaunchKernel");
    }

    private static string Log(nint program)
    {
        nuint size;
        if (Nvrtc.GetProgramLogSize(program, &size) != Nvrtc.Success || size <= 1) return "(empty)";
        var log = new byte[(int)size];
        fixed (byte* text = log) Nvrtc.GetProgramLog(program, text);
        return System.Text.Encoding.UTF8.GetString(log, 0, (int)size - 1).ReplaceLineEndings(" ");
    }
}
