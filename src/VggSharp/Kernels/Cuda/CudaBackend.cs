using System.Runtime.InteropServices;
using VggSharp.Tensors;

namespace VggSharp.Kernels.Cuda;

/// <summary>
/// The kernels on an NVIDIA GPU: cuDNN for convolutions, batch normalisation and softmax, cuBLAS for the
/// fully-connected layers, and kernels of VggSharp's own (compiled at run time with NVRTC) for the element-wise work,
/// max pooling with its argmax, LRN, dropout masks, the SGD update and softmax cross-entropy. Every tensor argument
/// lives on this backend's device; all work is queued on one stream and runs asynchronously, so only reading a result
/// back to the host waits. The synchronised batch-norm members (<see cref="BatchNormSums"/> and its neighbours), whose
/// sums go through MPI on the host anyway, run on the CPU through host copies.
/// Convolution algorithms are searched once per shape: the fastest, or deterministic ones only when created so (then the
/// same inputs give the same bits, in any process); the SGD update and dropout masks are bit-identical to the CPU's.
/// A backend is for one thread at a time: one stream, one cuDNN and one cuBLAS handle.
/// </summary>
public sealed unsafe partial class CudaBackend : IBackend
{
    private static readonly Dictionary<(int, CudaPrecision, bool, bool), CudaBackend> Created = [];
    private static readonly Lock CreateGate = new();

    private readonly CudaDevice _gpu;
    private readonly TensorDescriptors _descriptors = new();
    private readonly Dictionary<(ConvolutionShape, TensorFormat), ConvolutionPlan> _plans = [];
    private readonly bool _deterministic;
    private bool _batchNormRefusesChannelsLast;
    private nint _workspace;
    private long _workspaceBytes;

    private CudaBackend(CudaDevice gpu, CudaPrecision precision, bool deterministic, bool channelsLast)
    {
        _gpu = gpu;
        Precision = precision;
        _deterministic = deterministic;
        ChannelsLast = channelsLast || precision == CudaPrecision.Bf16;
        Device = Device.Cuda(gpu.Ordinal);
    }

    /// <summary>The backend on device <paramref name="index"/> in TF32 precision (cuDNN's and PyTorch's default); see <see cref="Create(int, CudaPrecision, bool, bool)"/>.</summary>
    public static CudaBackend Create(int index) => Create(index, CudaPrecision.Tf32);

    /// <summary>
    /// The backend on CUDA device <paramref name="index"/> with <paramref name="precision"/>, created on first use and then
    /// shared. Finds and loads the driver, cuBLAS, cuDNN 9 and NVRTC (see <see cref="CudaLibraryLocator"/>), so it is the
    /// only way a CUDA library gets loaded. Throws an <see cref="InvalidOperationException"/> with one line saying why
    /// when the GPU is not usable (no driver, no device, a library missing or failing). With <paramref name="deterministic"/>,
    /// convolutions use deterministic cuDNN algorithms only, so that the same inputs give the same bits from run to run
    /// (and a resumed training run ends bit-identical to an uninterrupted one); without it, the fastest, as PyTorch's
    /// cudnn.benchmark does (some backward-filter algorithms sum in an order that varies). With
    /// <paramref name="channelsLast"/> (always in <see cref="CudaPrecision.Bf16"/>), image activations are kept channels
    /// last, as PyTorch's torch.channels_last: see <see cref="ChannelsLast"/>.
    /// </summary>
    public static CudaBackend Create(int index, CudaPrecision precision, bool deterministic = false, bool channelsLast = false)
    {
        if (!Enum.IsDefined(precision)) throw new ArgumentOutOfRangeException(nameof(precision), precision, "Unknown CUDA precision.");
        var key = (index, precision, deterministic, channelsLast || precision == CudaPrecision.Bf16);
        lock (CreateGate)
        {
            if (Created.TryGetValue(key, out var existing)) return existing;
            try
            {
                var backend = new CudaBackend(CudaDevice.Get(index), precision, deterministic, key.Item4);
                Created[key] = backend;
                return backend;
            }
            catch (Exception e) when (IsUnusable(e))
            {
                throw Unusable($"cuda:{index}", e);
            }
        }
    }

    /// <summary>
    /// The number of CUDA devices this process sees (CUDA_VISIBLE_DEVICES applied), or an
    /// <see cref="InvalidOperationException"/> with one line saying why CUDA is not usable. Loads the driver only.
    /// </summary>
    public static int DeviceCount()
    {
        lock (CreateGate)
        {
            try
            {
                return CudaDevice.Count();
            }
            catch (Exception e) when (IsUnusable(e))
            {
                throw Unusable("CUDA", e);
            }
        }
    }

    private static bool IsUnusable(Exception e) => e is DllNotFoundException or EntryPointNotFoundException or CudaException or ArgumentOutOfRangeException;

    private static InvalidOperationException Unusable(string what, Exception e)
    {
        string problems = CudaLibraryResolver.PreloadProblems;
        string reason = e.Message.ReplaceLineEndings(" ") + (problems.Length > 0 ? $" (also: {problems})" : "");
        return new InvalidOperationException($"{what} is not usable: {reason}", e);
    }

    /// <inheritdoc />
    public string Name => "cuda";

    /// <inheritdoc />
    public Device Device { get; }

    /// <summary>The GPU's name, e.g. "NVIDIA H200".</summary>
    public string DeviceName => _gpu.Name;

    /// <summary>The arithmetic of convolutions and fully-connected layers.</summary>
    public CudaPrecision Precision { get; }

    /// <summary>
    /// Whether image activations are channels last (NHWC in memory), which cuDNN's tensor-core convolutions take without
    /// transposing. Measured on an H200 (docs/GPU.md): VGG-16 at 224 in TF32 trains and infers 1.25x faster than with NCHW
    /// (and faster than PyTorch's NCHW), while the small batch-norm network of the main job (32x32, 16 to 128 channels)
    /// trains 2.4x slower; so it is asked for, as in PyTorch, except in bf16, whose kernels are channels last.
    /// </summary>
    public bool ChannelsLast { get; }

    internal CudaDevice Gpu => _gpu;

    internal CudaMemoryPool Pool => _gpu.Pool;

    internal PinnedStaging Staging => _gpu.Staging;

    /// <inheritdoc />
    public void Synchronize() => _gpu.Synchronize();

    /// <inheritdoc />
    public Tensor Allocate(TensorShape shape) => Allocate(shape, TensorFormat.Float32);

    /// <inheritdoc />
    public void Fill(Tensor tensor, float value)
    {
        using var x = Write32(tensor);
        CudaDriver.Check(CudaDriver.MemsetD32Async(x.Pointer, BitConverter.SingleToUInt32Bits(value), (nuint)tensor.Length, _gpu.Stream), "cuMemsetD32Async");
    }

    /// <inheritdoc />
    public void Scale(Tensor tensor, float factor)
    {
        using var x = Update32(tensor);
        _gpu.Kernels.Scale(x.Pointer, factor, tensor.Length);
    }

    /// <inheritdoc />
    public void SgdUpdate(Tensor weight, Tensor gradient, Tensor velocity, float learningRate, float momentum, float decay)
    {
        ShapeCheck.SameShape(weight, gradient, "weight", "gradient");
        ShapeCheck.SameShape(weight, velocity, "weight", "velocity");
        using Staged w = Update32(weight), g = Read32(gradient), v = Update32(velocity);
        _gpu.Kernels.SgdUpdate(w.Pointer, g.Pointer, v.Pointer, learningRate, momentum, decay, weight.Length);
    }

    /// <inheritdoc />
    public void DropoutMask(Tensor mask, float probability, ReadOnlySpan<ulong> sampleKeys)
    {
        if (sampleKeys.Length != mask.Shape.N) throw new ArgumentException($"{sampleKeys.Length} sample keys for a batch of {mask.Shape.N}.");
        using var m = Write32(mask);
        using var keys = Upload(MemoryMarshal.AsBytes(sampleKeys));
        // The keep factor is formed on the host, as the CPU forms it.
        _gpu.Kernels.DropoutMask(m.Pointer, keys.Pointer, mask.Shape.ItemSize, mask.Length, probability, 1f / (1f - probability));
    }

    /// <inheritdoc />
    public void Conv2dForward(Tensor input, Tensor weight, Tensor bias, Tensor output, int padding)
    {
        ShapeCheck.Conv(input, weight, output, padding);
        ShapeCheck.Channels(output, bias, "bias");
        var format = ConvolutionFormat(output);
        using Staged x = As(input, format, Use.Read), w = As(weight, format, Use.Read), b = As(bias, TensorFormat.Float32, Use.Read),
            y = As(output, format, Use.Overwrite);
        var plan = Plan(input, weight, padding, format);
        ConvolutionForward(plan, x.Pointer, w.Pointer, y.Pointer);
        if (format.ChannelsLast) _gpu.Kernels.BiasAdd(y.Pointer, TypeCode(format), b.Pointer, output.Shape.C, output.Length);
        else
        {
            float one = 1f;
            Cudnn.Check(Cudnn.AddTensor(_gpu.Dnn, &one, plan.Bias, b.Pointer, &one, plan.Output, y.Pointer), "cudnnAddTensor");
        }
    }

    /// <inheritdoc />
    public void Conv2dBackwardData(Tensor gradOutput, Tensor weight, Tensor gradInput, int padding)
    {
        ShapeCheck.Conv(gradInput, weight, gradOutput, padding);
        var format = ConvolutionFormat(gradInput);
        using Staged dy = As(gradOutput, format, Use.Read), w = As(weight, format, Use.Read), dx = As(gradInput, format, Use.Overwrite);
        ConvolutionBackwardData(Plan(gradInput, weight, padding, format), dy.Pointer, w.Pointer, dx.Pointer);
    }

    /// <inheritdoc />
    public void Conv2dBackwardFilter(Tensor input, Tensor gradOutput, Tensor gradWeight, Tensor gradBias, int padding)
    {
        ShapeCheck.Conv(input, gradWeight, gradOutput, padding);
        ShapeCheck.Channels(gradOutput, gradBias, "gradBias");
        var format = IsBf16(input) ? ConvolutionFormat(input) : ConvolutionFormat(gradOutput);
        using Staged x = As(input, format, Use.Read), dy = As(gradOutput, format, Use.Read), dw = As(gradWeight, TensorFormat.Float32, Use.Update),
            db = As(gradBias, TensorFormat.Float32, Use.Update);
        var plan = Plan(input, gradWeight, padding, format);
        if (format.IsFloat32) ConvolutionBackwardFilter(plan, x.Pointer, dy.Pointer, dw.Pointer, (long)gradWeight.Length * sizeof(float));
        else
        {
            // cuDNN's filter gradient has the data's format (KRSC; bf16 for bf16 data): summed into a zeroed copy, then added in float32.
            using var partial = Allocate(gradWeight.Shape, format);
            ConvolutionBackwardFilter(plan, x.Pointer, dy.Pointer, partial.Pointer, (long)gradWeight.Length * format.ElementSize);
            Convert(partial, dw.Tensor, accumulate: true);
        }
        if (format.ChannelsLast) AddRowSums(dy.Tensor, db.Pointer);
        else
        {
            float one = 1f;
            Cudnn.Check(Cudnn.ConvolutionBackwardBias(_gpu.Dnn, &one, plan.Output, dy.Pointer, &one, plan.Bias, db.Pointer), "cudnnConvolutionBackwardBias");
        }
    }

    /// <summary>y = the convolution of x with w (cuDNN, in the plan's format), the algorithm chosen on first use.</summary>
    private void ConvolutionForward(ConvolutionPlan plan, nint x, nint w, nint y)
    {
        var (algorithm, workspaceBytes) = plan.Forward ??= _deterministic
            ? plan.Choose(_gpu, plan.ForwardConvolution, "cudnnGetConvolutionForwardAlgorithm_v7", (_, _, requested, returned, results) =>
                Cudnn.GetConvolutionForwardAlgorithm(_gpu.Dnn, plan.Input, plan.Filter, plan.ForwardConvolution, plan.Output, requested, returned, results))
            : plan.Choose(_gpu, plan.ForwardConvolution, "cudnnFindConvolutionForwardAlgorithmEx", (ws, bytes, requested, returned, results) =>
                Cudnn.FindConvolutionForwardAlgorithmEx(_gpu.Dnn, plan.Input, x, plan.Filter, w, plan.ForwardConvolution, plan.Output, y, requested,
                    returned, results, ws, bytes));
        nint workspace = Workspace(workspaceBytes);
        float one = 1f, zero = 0f;
        Cudnn.Check(Cudnn.ConvolutionForward(_gpu.Dnn, &one, plan.Input, x, plan.Filter, w, plan.ForwardConvolution, algorithm, workspace,
            (nuint)workspaceBytes, &zero, plan.Output, y), "cudnnConvolutionForward");
    }

    /// <summary>dx = the gradient of the convolution with respect to its input.</summary>
    private void ConvolutionBackwardData(ConvolutionPlan plan, nint dy, nint w, nint dx)
    {
        var (algorithm, workspaceBytes) = plan.BackwardData ??= _deterministic
            ? plan.Choose(_gpu, plan.BackwardDataConvolution, "cudnnGetConvolutionBackwardDataAlgorithm_v7", (_, _, requested, returned, results) =>
                Cudnn.GetConvolutionBackwardDataAlgorithm(_gpu.Dnn, plan.Filter, plan.Output, plan.BackwardDataConvolution, plan.Input, requested,
                    returned, results))
            : plan.Choose(_gpu, plan.BackwardDataConvolution, "cudnnFindConvolutionBackwardDataAlgorithmEx", (ws, bytes, requested, returned, results) =>
                Cudnn.FindConvolutionBackwardDataAlgorithmEx(_gpu.Dnn, plan.Filter, w, plan.Output, dy, plan.BackwardDataConvolution, plan.Input, dx,
                    requested, returned, results, ws, bytes));
        nint workspace = Workspace(workspaceBytes);
        float one = 1f, zero = 0f;
        Cudnn.Check(Cudnn.ConvolutionBackwardData(_gpu.Dnn, &one, plan.Filter, w, plan.Output, dy, plan.BackwardDataConvolution, algorithm,
            workspace, (nuint)workspaceBytes, &zero, plan.Input, dx), "cudnnConvolutionBackwardData");
    }

    /// <summary>dw += the gradient of the convolution with respect to its filter (<paramref name="filterBytes"/> long).</summary>
    private void ConvolutionBackwardFilter(ConvolutionPlan plan, nint x, nint dy, nint dw, long filterBytes)
    {
        if (plan.BackwardFilter is null && _deterministic)
            plan.BackwardFilter = plan.Choose(_gpu, plan.BackwardFilterConvolution, "cudnnGetConvolutionBackwardFilterAlgorithm_v7",
                (_, _, requested, returned, results) => Cudnn.GetConvolutionBackwardFilterAlgorithm(_gpu.Dnn, plan.Input, plan.Output,
                    plan.BackwardFilterConvolution, plan.Filter, requested, returned, results));
        if (plan.BackwardFilter is null)
        {
            // The search writes into its output, and the filter gradient accumulates: search into scratch.
            using var scratch = Scratch(filterBytes);
            plan.BackwardFilter = plan.Choose(_gpu, plan.BackwardFilterConvolution, "cudnnFindConvolutionBackwardFilterAlgorithmEx",
                (ws, bytes, requested, returned, results) => Cudnn.FindConvolutionBackwardFilterAlgorithmEx(_gpu.Dnn, plan.Input, x, plan.Output, dy,
                    plan.BackwardFilterConvolution, plan.Filter, scratch.Pointer, requested, returned, results, ws, bytes));
        }
        var (algorithm, workspaceBytes) = plan.BackwardFilter.Value;
        nint workspace = Workspace(workspaceBytes);
        float one = 1f;
        Cudnn.Check(Cudnn.ConvolutionBackwardFilter(_gpu.Dnn, &one, plan.Input, x, plan.Output, dy, plan.BackwardFilterConvolution, algorithm,
            workspace, (nuint)workspaceBytes, &one, plan.Filter, dw), "cudnnConvolutionBackwardFilter");
    }

    /// <inheritdoc />
    public void LinearForward(Tensor input, Tensor weight, Tensor bias, Tensor output)
    {
        ShapeCheck.Linear(input, weight, output);
        ShapeCheck.Channels(output, bias, "bias");
        if (IsBf16(output))
        {
            MixedLinearForward(input, weight, bias, output);
            return;
        }
        int n = input.Shape[0], inputs = input.Shape[1], outputs = weight.Shape[0];
        using Staged x = As(input, TensorFormat.Float32, Use.Read), w = As(weight, TensorFormat.Float32, Use.Read),
            b = As(bias, TensorFormat.Float32, Use.Read), y = As(output, TensorFormat.Float32, Use.Overwrite);
        // Row-major Y[N, Out] = X W^T is column-major Y^T (Out x N) = W (stored In x Out, transposed) * X^T (In x N).
        Gemm(Cublas.OpT, Cublas.OpN, outputs, n, inputs, w.Pointer, inputs, x.Pointer, inputs, 0f, y.Pointer, outputs, Cublas.DataFloat, Cublas.DataFloat);
        float one = 1f;
        Cudnn.Check(Cudnn.AddTensor(_gpu.Dnn, &one, _descriptors.Get(1, outputs, 1, 1), b.Pointer, &one, _descriptors.Get(n, outputs, 1, 1), y.Pointer),
            "cudnnAddTensor");
    }

    /// <inheritdoc />
    public void LinearBackwardData(Tensor gradOutput, Tensor weight, Tensor gradInput)
    {
        ShapeCheck.Linear(gradInput, weight, gradOutput);
        if (IsBf16(gradInput))
        {
            MixedLinearBackwardData(gradOutput, weight, gradInput);
            return;
        }
        int n = gradInput.Shape[0], inputs = gradInput.Shape[1], outputs = weight.Shape[0];
        using Staged dy = As(gradOutput, TensorFormat.Float32, Use.Read), w = As(weight, TensorFormat.Float32, Use.Read),
            dx = As(gradInput, TensorFormat.Float32, Use.Overwrite);
        // dX[N, In] = dY W: column-major dX^T (In x N) = W^T (In x Out, W as stored) * dY^T (Out x N).
        Gemm(Cublas.OpN, Cublas.OpN, inputs, n, outputs, w.Pointer, inputs, dy.Pointer, outputs, 0f, dx.Pointer, inputs, Cublas.DataFloat, Cublas.DataFloat);
    }

    /// <inheritdoc />
    public void LinearBackwardWeights(Tensor input, Tensor gradOutput, Tensor gradWeight, Tensor gradBias)
    {
        ShapeCheck.Linear(input, gradWeight, gradOutput);
        ShapeCheck.Channels(gradOutput, gradBias, "gradBias");
        if (IsBf16(input) || IsBf16(gradOutput))
        {
            MixedLinearBackwardWeights(input, gradOutput, gradWeight, gradBias);
            return;
        }
        int n = input.Shape[0], inputs = input.Shape[1], outputs = gradWeight.Shape[0];
        using Staged x = As(input, TensorFormat.Float32, Use.Read), dy = As(gradOutput, TensorFormat.Float32, Use.Read),
            dw = As(gradWeight, TensorFormat.Float32, Use.Update), db = As(gradBias, TensorFormat.Float32, Use.Update);
        // dW[Out, In] += dY^T X: column-major dW^T (In x Out) += X^T (In x N) * dY (N x Out, dY^T as stored, transposed).
        Gemm(Cublas.OpN, Cublas.OpT, inputs, outputs, n, x.Pointer, inputs, dy.Pointer, outputs, 1f, dw.Pointer, inputs, Cublas.DataFloat, Cublas.DataFloat);
        float one = 1f;
        Cudnn.Check(Cudnn.ConvolutionBackwardBias(_gpu.Dnn, &one, _descriptors.Get(n, outputs, 1, 1), dy.Pointer, &one, _descriptors.Get(1, outputs, 1, 1),
            db.Pointer), "cudnnConvolutionBackwardBias");
    }

    /// <inheritdoc />
    public void ReluForward(Tensor input, Tensor output)
    {
        ShapeCheck.SameShape(input, output, "input", "output");
        if (input.Format == output.Format)
        {
            if (IsBf16(input)) _gpu.Kernels.ReluForwardBf16(On(input), On(output), input.Length);
            else _gpu.Kernels.ReluForward(On(input), On(output), input.Length);
            return;
        }
        using Staged x = As(input, TensorFormat.Float32, Use.Read), y = As(output, TensorFormat.Float32, Use.Overwrite);
        _gpu.Kernels.ReluForward(x.Pointer, y.Pointer, input.Length);
    }

    /// <inheritdoc />
    public void ReluBackward(Tensor output, Tensor gradOutput, Tensor gradInput)
    {
        ShapeCheck.SameShape(output, gradOutput, "output", "gradOutput");
        ShapeCheck.SameShape(output, gradInput, "output", "gradInput");
        if (output.Format == gradOutput.Format && output.Format == gradInput.Format)
        {
            if (IsBf16(output)) _gpu.Kernels.ReluBackwardBf16(On(output), On(gradOutput), On(gradInput), output.Length);
            else _gpu.Kernels.ReluBackward(On(output), On(gradOutput), On(gradInput), output.Length);
            return;
        }
        using Staged y = As(output, TensorFormat.Float32, Use.Read), dy = As(gradOutput, TensorFormat.Float32, Use.Read),
            dx = As(gradInput, TensorFormat.Float32, Use.Overwrite);
        _gpu.Kernels.ReluBackward(y.Pointer, dy.Pointer, dx.Pointer, output.Length);
    }

    /// <inheritdoc />
    public void MaxPoolForward(Tensor input, Tensor output, Tensor argmax)
    {
        ShapeCheck.Pool(input, output, argmax);
        if (input.Format.ChannelsLast && output.Format == input.Format && argmax.Format.IsFloat32)
        {
            _gpu.Kernels.MaxPoolForwardNhwc(On(input), TypeCode(input.Format), On(output), On(argmax), input.Shape.C, input.Shape.H, input.Shape.W,
                output.Length);
            return;
        }
        using Staged x = As(input, TensorFormat.Float32, Use.Read), y = As(output, TensorFormat.Float32, Use.Overwrite),
            a = As(argmax, TensorFormat.Float32, Use.Overwrite);
        _gpu.Kernels.MaxPoolForward(x.Pointer, y.Pointer, a.Pointer, input.Shape.H, input.Shape.W, output.Length);
    }

    /// <inheritdoc />
    public void MaxPoolBackward(Tensor gradOutput, Tensor argmax, Tensor gradInput)
    {
        ShapeCheck.Pool(gradInput, gradOutput, argmax);
        if (gradInput.Format.ChannelsLast && gradOutput.Format == gradInput.Format && argmax.Format.IsFloat32)
        {
            _gpu.Kernels.MaxPoolBackwardNhwc(On(gradOutput), TypeCode(gradInput.Format), On(argmax), On(gradInput), gradInput.Shape.C, gradInput.Shape.H,
                gradInput.Shape.W, gradInput.Length);
            return;
        }
        using Staged dy = As(gradOutput, TensorFormat.Float32, Use.Read), a = As(argmax, TensorFormat.Float32, Use.Read),
            dx = As(gradInput, TensorFormat.Float32, Use.Overwrite);
        // Dropped odd rows and columns, and the window positions that were not the maximum, get zero.
        dx.Tensor.Clear();
        _gpu.Kernels.MaxPoolBackward(dy.Pointer, a.Pointer, dx.Pointer, gradInput.Shape.H, gradInput.Shape.W, gradOutput.Length);
    }

    /// <inheritdoc />
    public void LrnForward(Tensor input, Tensor output, Tensor scale, LrnParameters parameters)
    {
        ShapeCheck.Rank(input, 4, "input");
        ShapeCheck.SameShape(input, output, "input", "output");
        ShapeCheck.SameShape(input, scale, "input", "scale");
        using Staged x = Read32(input), y = Write32(output), s = Write32(scale);
        _gpu.Kernels.LrnForward(x.Pointer, y.Pointer, s.Pointer, input.Shape.C, input.Shape.H * input.Shape.W, parameters, input.Length);
    }

    /// <inheritdoc />
    public void LrnBackward(Tensor input, Tensor output, Tensor scale, Tensor gradOutput, Tensor gradInput, LrnParameters parameters)
    {
        ShapeCheck.Rank(input, 4, "input");
        foreach (var (t, name) in new[] { (output, "output"), (scale, "scale"), (gradOutput, "gradOutput"), (gradInput, "gradInput") })
            ShapeCheck.SameShape(input, t, "input", name);
        using Staged x = Read32(input), y = Read32(output), s = Read32(scale), dy = Read32(gradOutput), dx = Write32(gradInput);
        _gpu.Kernels.LrnBackward(x.Pointer, y.Pointer, s.Pointer, dy.Pointer, dx.Pointer, input.Shape.C, input.Shape.H * input.Shape.W,
            parameters, input.Length);
    }

    /// <inheritdoc />
    public void BatchNormForwardTraining(Tensor input, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVariance,
        float momentum, float epsilon, Tensor output, Tensor savedMean, Tensor savedInverseStd)
    {
        CheckBatchNorm(input, output, gamma, beta, runningMean, runningVariance, savedMean, savedInverseStd);
        var format = BatchNormFormat(input);
        int status;
        using (Staged x = As(input, format, Use.Read), y = As(output, format, Use.Overwrite), g = Read32(gamma), b = Read32(beta),
            rm = Update32(runningMean), rv = Update32(runningVariance), sm = Write32(savedMean), si = Write32(savedInverseStd))
        {
            var (data, channels) = BatchNormDescriptors(input, format);
            float one = 1f, zero = 0f;
            // cuDNN's running statistics follow PyTorch's convention (factor = momentum, unbiased variance); its saved
            // inverse variance is 1 / sqrt(biased variance + epsilon), the inverse standard deviation kept here.
            status = Cudnn.BatchNormalizationForwardTraining(_gpu.Dnn, Cudnn.BatchNormSpatial, &one, &zero, data, x.Pointer, data, y.Pointer, channels,
                g.Pointer, b.Pointer, momentum, rm.Pointer, rv.Pointer, BatchNormEpsilon(epsilon), sm.Pointer, si.Pointer);
        }
        if (RefusedChannelsLast(status, format))
            BatchNormForwardTraining(input, gamma, beta, runningMean, runningVariance, momentum, epsilon, output, savedMean, savedInverseStd);
        else Cudnn.Check(status, "cudnnBatchNormalizationForwardTraining");
    }

    /// <inheritdoc />
    public void BatchNormForwardInference(Tensor input, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVariance,
        float epsilon, Tensor output)
    {
        CheckBatchNorm(input, output, gamma, beta, runningMean, runningVariance);
        var format = BatchNormFormat(input);
        int status;
        using (Staged x = As(input, format, Use.Read), y = As(output, format, Use.Overwrite), g = Read32(gamma), b = Read32(beta),
            rm = Read32(runningMean), rv = Read32(runningVariance))
        {
            var (data, channels) = BatchNormDescriptors(input, format);
            float one = 1f, zero = 0f;
            status = Cudnn.BatchNormalizationForwardInference(_gpu.Dnn, Cudnn.BatchNormSpatial, &one, &zero, data, x.Pointer, data, y.Pointer, channels,
                g.Pointer, b.Pointer, rm.Pointer, rv.Pointer, BatchNormEpsilon(epsilon));
        }
        if (RefusedChannelsLast(status, format)) BatchNormForwardInference(input, gamma, beta, runningMean, runningVariance, epsilon, output);
        else Cudnn.Check(status, "cudnnBatchNormalizationForwardInference");
    }

    /// <inheritdoc />
    public void BatchNormBackward(Tensor input, Tensor gradOutput, Tensor gamma, Tensor savedMean, Tensor savedInverseStd,
        Tensor gradInput, Tensor gradGamma, Tensor gradBeta)
    {
        CheckBatchNorm(input, gradOutput, gamma, savedMean, savedInverseStd, gradGamma, gradBeta);
        ShapeCheck.SameShape(input, gradInput, "input", "gradInput");
        var format = BatchNormFormat(input);
        int status;
        using (Staged x = As(input, format, Use.Read), dy = As(gradOutput, format, Use.Read), dx = As(gradInput, format, Use.Overwrite),
            g = Read32(gamma), dg = Update32(gradGamma), db = Update32(gradBeta), sm = Read32(savedMean), si = Read32(savedInverseStd))
        {
            var (data, channels) = BatchNormDescriptors(input, format);
            float one = 1f, zero = 0f;
            // The input gradient is overwritten (beta 0), the parameter gradients accumulate (beta 1). With the saved mean
            // and inverse deviation given, cuDNN does not use epsilon.
            status = Cudnn.BatchNormalizationBackward(_gpu.Dnn, Cudnn.BatchNormSpatial, &one, &zero, &one, &one, data, x.Pointer, data, dy.Pointer,
                data, dx.Pointer, channels, g.Pointer, dg.Pointer, db.Pointer, Cudnn.MinimumBatchNormEpsilon, sm.Pointer, si.Pointer);
        }
        if (RefusedChannelsLast(status, format))
            BatchNormBackward(input, gradOutput, gamma, savedMean, savedInverseStd, gradInput, gradGamma, gradBeta);
        else Cudnn.Check(status, "cudnnBatchNormalizationBackward");
    }

    /// <inheritdoc />
    public void BatchNormSums(Tensor input, Tensor? mean, Span<double> sums)
    {
        using var x = input.ToHost();
        using var m = mean?.ToHost();
        Backends.Fast.BatchNormSums(x, m, sums);
    }

    /// <inheritdoc />
    public void BatchNormNormalize(Tensor input, Tensor gamma, Tensor beta, Tensor mean, Tensor inverseStd, Tensor output)
    {
        using var x = input.ToHost();
        using var g = gamma.ToHost();
        using var b = beta.ToHost();
        using var m = mean.ToHost();
        using var s = inverseStd.ToHost();
        using var y = new Tensor(output.Shape);
        Backends.Fast.BatchNormNormalize(x, g, b, m, s, y);
        output.CopyFrom(y);
    }

    /// <inheritdoc />
    public void BatchNormGradientSums(Tensor input, Tensor gradOutput, Tensor mean, Span<double> sums)
    {
        using var x = input.ToHost();
        using var dy = gradOutput.ToHost();
        using var m = mean.ToHost();
        Backends.Fast.BatchNormGradientSums(x, dy, m, sums);
    }

    /// <inheritdoc />
    public void BatchNormBackwardData(Tensor input, Tensor gradOutput, Tensor gamma, Tensor savedMean, Tensor savedInverseStd,
        ReadOnlySpan<double> sums, long count, Tensor gradInput)
    {
        using var x = input.ToHost();
        using var dy = gradOutput.ToHost();
        using var g = gamma.ToHost();
        using var m = savedMean.ToHost();
        using var s = savedInverseStd.ToHost();
        using var dx = new Tensor(gradInput.Shape);
        Backends.Fast.BatchNormBackwardData(x, dy, g, m, s, sums, count, dx);
        gradInput.CopyFrom(dx);
    }

    /// <inheritdoc />
    public void Multiply(Tensor a, Tensor b, Tensor output)
    {
        ShapeCheck.SameShape(a, b, "a", "b");
        ShapeCheck.SameShape(a, output, "a", "output");
        if (a.Format == TensorFormat.BFloat16 && output.Format == a.Format && b.Format.IsFloat32)
        {
            _gpu.Kernels.MultiplyBf16F32(On(a), On(b), On(output), a.Length);
            return;
        }
        using Staged x = Read32(a), y = Read32(b), z = Write32(output);
        _gpu.Kernels.Multiply(x.Pointer, y.Pointer, z.Pointer, a.Length);
    }

    /// <inheritdoc />
    public void SoftmaxCrossEntropy(Tensor logits, ReadOnlySpan<int> labels, Tensor probabilities, Tensor gradLogits, float share, Tensor totals)
    {
        ShapeCheck.Labels(logits, labels);
        ShapeCheck.SameShape(logits, probabilities, "logits", "probabilities");
        ShapeCheck.SameShape(logits, gradLogits, "logits", "gradLogits");
        if (totals.Length != 2) throw new ArgumentException($"Totals must hold 2 values, got shape {totals.Shape}.");
        int rows = logits.Shape[0], classes = logits.Shape[1];
        using Staged z = Read32(logits), p = Write32(probabilities), g = Write32(gradLogits), t = Update32(totals);
        using var deviceLabels = Upload(MemoryMarshal.AsBytes(labels));
        using var rowLoss = Scratch((long)rows * sizeof(double));
        using var rowCorrect = Scratch((long)rows * sizeof(int));
        _gpu.Kernels.SoftmaxCrossEntropy(z.Pointer, deviceLabels.Pointer, p.Pointer, g.Pointer, rowLoss.Pointer, rowCorrect.Pointer, rows, classes, share,
            t.Pointer);
    }

    /// <inheritdoc />
    public void Softmax(Tensor logits, Tensor probabilities)
    {
        ShapeCheck.Rank(logits, 2, "logits");
        ShapeCheck.SameShape(logits, probabilities, "logits", "probabilities");
        nint descriptor = _descriptors.Get(logits.Shape[0], logits.Shape[1], 1, 1);
        float one = 1f, zero = 0f;
        using Staged z = Read32(logits), p = Write32(probabilities);
        Cudnn.Check(Cudnn.SoftmaxForward(_gpu.Dnn, Cudnn.SoftmaxAccurate, Cudnn.SoftmaxModeInstance, &one, descriptor, z.Pointer, &zero, descriptor,
            p.Pointer), "cudnnSoftmaxForward");
    }

    /// <summary>The device address of <paramref name="tensor"/>, after checking that it lives on this backend's device; makes the context current.</summary>
    private nint On(Tensor tensor)
    {
        if (tensor.Device != Device)
            throw new ArgumentException($"A tensor on {tensor.Device} was given to the {Device} backend: allocate it with the backend's Allocate or copy it there.");
        _gpu.MakeCurrent();
        return tensor.Pointer;
    }

    /// <summary>
    /// C = alpha op(A) op(B) + beta C in column-major terms, alpha 1: A and B of <paramref name="inputType"/>, C of
    /// <paramref name="outputType"/> (cuBLAS data types); float32 data in this backend's precision, bf16 data with float32 sums.
    /// </summary>
    private void Gemm(int transA, int transB, int m, int n, int k, nint a, int lda, nint b, int ldb, float beta, nint c, int ldc, int inputType,
        int outputType)
    {
        float alpha = 1f;
        int compute = Precision == CudaPrecision.Fp32 || inputType == Cublas.DataBFloat16 ? Cublas.Compute32F : Cublas.Compute32FFastTf32;
        Cublas.Check(Cublas.GemmEx(_gpu.Blas, transA, transB, m, n, k, &alpha, a, inputType, lda, b, inputType, ldb, &beta, c, outputType, ldc, compute,
            Cublas.GemmDefault), "cublasGemmEx");
    }

    private ConvolutionPlan Plan(Tensor input, Tensor weight, int padding, TensorFormat format)
    {
        var shape = new ConvolutionShape(input.Shape.N, input.Shape.C, input.Shape.H, input.Shape.W, weight.Shape[0], weight.Shape[2], padding);
        lock (_plans)
        {
            if (!_plans.TryGetValue((shape, format), out var plan))
                _plans[(shape, format)] = plan = new ConvolutionPlan(_descriptors, shape, format, Precision, _deterministic);
            return plan;
        }
    }

    /// <summary>The shared convolution workspace, grown (never shrunk) to at least <paramref name="bytes"/>.</summary>
    private nint Workspace(long bytes)
    {
        if (bytes > _workspaceBytes)
        {
            if (_workspace != 0) Pool.Return(_workspace, _workspaceBytes);
            _workspace = Pool.Rent(bytes);
            _workspaceBytes = bytes;
        }
        return _workspace;
    }

    /// <summary>Device memory for one call's temporary data; returned to the pool when disposed, in stream order.</summary>
    private CudaStorage Scratch(long bytes) => new(this, Math.Max(bytes, 1));

    /// <summary>Host data copied to new scratch device memory (through pinned staging, asynchronously).</summary>
    private CudaStorage Upload(ReadOnlySpan<byte> data)
    {
        var scratch = Scratch(data.Length);
        scratch.CopyFromHost(0, data);
        return scratch;
    }

    /// <summary>
    /// cuDNN's descriptors for batch norm over [N, C, ...] in <paramref name="format"/>: the data as [N, C, spatial, 1]
    /// (channels last: NHWC, the same memory) and the per-channel values as [1, C, 1, 1].
    /// </summary>
    private (nint Data, nint Channels) BatchNormDescriptors(Tensor input, TensorFormat format)
    {
        int n = input.Shape.N, c = input.Shape[1];
        return (_descriptors.Get(n, c, input.Shape.ItemSize / c, 1, format), _descriptors.Get(1, c, 1, 1));
    }

    /// <summary>Float32, channels last when the input is (unless cuDNN refused that layout for batch norm before).</summary>
    private TensorFormat BatchNormFormat(Tensor input) =>
        input.Format.ChannelsLast && !_batchNormRefusesChannelsLast ? Float32ChannelsLast : TensorFormat.Float32;

    /// <summary>
    /// True, and channels-last batch norm is off from now on, when cuDNN refused a channels-last call as unsupported or a bad
    /// parameter (the caller then repeats it in NCHW, through conversions).
    /// </summary>
    private bool RefusedChannelsLast(int status, TensorFormat format)
    {
        if (!format.ChannelsLast || status is < 2000 or >= 4000) return false;
        _batchNormRefusesChannelsLast = true;
        return true;
    }

    /// <summary>
    /// The epsilon given to cuDNN: at least CUDNN_BN_MIN_EPSILON (1e-5), which the float 1e-5f (9.99999975e-6 as a double)
    /// would fall just below; the difference is far below float resolution of the variances it is added to.
    /// </summary>
    private static double BatchNormEpsilon(float epsilon) => Math.Max(epsilon, Cudnn.MinimumBatchNormEpsilon);

    private static void CheckBatchNorm(Tensor input, Tensor other, params Tensor[] perChannel)
    {
        if (input.Shape.Rank < 2) throw new ArgumentException($"Batch normalisation needs [N, C, ...] input, got {input.Shape}.");
        ShapeCheck.SameShape(input, other, "input", "output");
        foreach (var t in perChannel) ShapeCheck.Channels(input, t, "per-channel statistic");
    }
}
