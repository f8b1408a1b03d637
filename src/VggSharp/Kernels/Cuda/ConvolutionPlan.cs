using VggSharp.Tensors;

namespace VggSharp.Kernels.Cuda;

/// <summary>
/// cuDNN's descriptors for one convolution shape, and its algorithms for forward, backward-data and backward-filter,
/// each chosen once on first use and then kept: by default the fastest that succeeded in cudnnFind*AlgorithmEx (which
/// times them on real data, so another process may choose another); when deterministic, the first deterministic one
/// in cuDNN's heuristic ranking (cudnnGet*Algorithm_v7, which times nothing), so that every process chooses the same
/// algorithms and gets the same bits. In strict float32 only algorithms without tensor-core math are taken. Each direction has its own convolution descriptor, set to its algorithm's math.
/// In TF32, a direction with no deterministic algorithm under cuDNN's default math (VGG-16's backward filter on an H200)
/// is searched again in strict float32, which has one: slower for that layer, but deterministic.
/// </summary>
internal sealed unsafe class ConvolutionPlan
{
    private const int Requested = 8;
    private const long MaxSearchWorkspace = 4L << 30;

    /// <summary>One cudnnFind*AlgorithmEx call with the workspace it may use.</summary>
    public delegate int Search(nint workspace, nuint workspaceBytes, int requested, int* returned, ConvolutionAlgorithmPerformance* results);

    private readonly CudaPrecision _precision;
    private readonly bool _deterministic;
    private readonly bool _bf16;

    /// <summary>
    /// Creates the descriptors of <paramref name="shape"/> for data (input, output and filter alike) of
    /// <paramref name="format"/>: float32 NCHW, or bf16 channels last (the filter then KRSC) with float32 sums.
    /// </summary>
    public ConvolutionPlan(TensorDescriptors descriptors, ConvolutionShape shape, TensorFormat format, CudaPrecision precision, bool deterministic)
    {
        (Shape, _precision, _deterministic, _bf16) = (shape, precision, deterministic, format.Type == ElementType.BFloat16);
        Input = descriptors.Get(shape.N, shape.C, shape.H, shape.W, format);
        Output = descriptors.Get(shape.N, shape.O, shape.OutputH, shape.OutputW, format);
        Bias = descriptors.Get(1, shape.O, 1, 1);
        nint filter;
        Cudnn.Check(Cudnn.CreateFilterDescriptor(&filter), "cudnnCreateFilterDescriptor");
        Cudnn.Check(Cudnn.SetFilter4dDescriptor(filter, TensorDescriptors.DataType(format), TensorDescriptors.Layout(format), shape.O, shape.C, shape.K,
            shape.K), "cudnnSetFilter4dDescriptor");
        Filter = filter;
        ForwardConvolution = CreateConvolution();
        BackwardDataConvolution = CreateConvolution();
        BackwardFilterConvolution = CreateConvolution();
    }

    public ConvolutionShape Shape { get; }
    public nint Input { get; }
    public nint Output { get; }
    public nint Bias { get; }
    public nint Filter { get; }
    public nint ForwardConvolution { get; }
    public nint BackwardDataConvolution { get; }
    public nint BackwardFilterConvolution { get; }

    /// <summary>The forward algorithm and its workspace size, once searched.</summary>
    public (int Algorithm, long Workspace)? Forward { get; set; }

    /// <summary>The backward-data algorithm and its workspace size, once searched.</summary>
    public (int Algorithm, long Workspace)? BackwardData { get; set; }

    /// <summary>The backward-filter algorithm and its workspace size, once searched.</summary>
    public (int Algorithm, long Workspace)? BackwardFilter { get; set; }

    /// <summary>
    /// Runs <paramref name="search"/> (named <paramref name="call"/>) with a temporary workspace of up to half the free
    /// memory (at most 4 GiB), picks an algorithm and sets <paramref name="convolution"/>'s math type to it.
    /// </summary>
    public (int Algorithm, long Workspace) Choose(CudaDevice device, nint convolution, string call, Search search)
    {
        device.MakeCurrent();
        nuint free, total;
        CudaDriver.Check(CudaDriver.MemGetInfo(&free, &total), "cuMemGetInfo_v2");
        long bytes = Math.Min((long)free / 2, MaxSearchWorkspace);
        nint workspace = 0;
        while (bytes > 0 && CudaDriver.MemAlloc(&workspace, (nuint)bytes) != CudaDriver.Success) bytes /= 2;
        try
        {
            int returned = 0;
            ConvolutionAlgorithmPerformance* results = stackalloc ConvolutionAlgorithmPerformance[Requested];
            int[] maths = _bf16 ? [Cudnn.TensorOpMath, Cudnn.DefaultMath, Cudnn.FmaMath]
                : _precision == CudaPrecision.Fp32 ? [Cudnn.FmaMath] : [Cudnn.DefaultMath, Cudnn.FmaMath];
            foreach (int searchMath in maths)
            {
                Cudnn.Check(Cudnn.SetConvolutionMathType(convolution, searchMath), "cudnnSetConvolutionMathType");
                Cudnn.Check(search(workspace, (nuint)Math.Max(bytes, 0), Requested, &returned, results), $"{call} for {Shape}");
                for (int i = 0; i < returned; i++)
                {
                    var r = results[i];
                    if (r.Status != Cudnn.Success || (long)r.Memory > bytes) continue;
                    if (_deterministic && r.Determinism != Cudnn.Deterministic) continue;
                    bool tensorCores = r.MathType is Cudnn.TensorOpMath or Cudnn.TensorOpMathAllowConversion;
                    if (searchMath == Cudnn.FmaMath && tensorCores) continue;
                    int math = searchMath == Cudnn.FmaMath ? Cudnn.FmaMath : r.MathType;
                    Cudnn.Check(Cudnn.SetConvolutionMathType(convolution, math), "cudnnSetConvolutionMathType");
                    return (r.Algorithm, (long)r.Memory);
                }
            }
            throw new InvalidOperationException(
                $"{call} found no usable algorithm for {Shape} ({returned} tried, deterministic {_deterministic}, precision {_precision}).");
        }
        finally
        {
            if (workspace != 0) CudaDriver.Check(CudaDriver.MemFree(workspace), "cuMemFree_v2");
        }
    }

    private nint CreateConvolution()
    {
        nint convolution;
        Cudnn.Check(Cudnn.CreateConvolutionDescriptor(&convolution), "cudnnCreateConvolutionDescriptor");
        Cudnn.Check(Cudnn.SetConvolution2dDescriptor(convolution, Shape.P, Shape.P, 1, 1, 1, 1, Cudnn.CrossCorrelation, Cudnn.DataFloat),
            "cudnnSetConvolution2dDescriptor");
        // TF32 as PyTorch asks for it: the default math, which lets cuDNN use tensor cores for float data on Ampere and later
        // and choose, per algorithm, what it can run (a descriptor set to tensor-op math found no deterministic backward-filter
        // algorithm for VGG-16's conv1_2 on an H200); FMA math forbids TF32.
        // bf16 data asks for tensor cores outright.
        int math = _bf16 ? Cudnn.TensorOpMath : _precision == CudaPrecision.Fp32 ? Cudnn.FmaMath : Cudnn.DefaultMath;
        Cudnn.Check(Cudnn.SetConvolutionMathType(convolution, math), "cudnnSetConvolutionMathType");
        return convolution;
    }
}
