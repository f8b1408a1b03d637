using VggSharp.Tensors;

namespace VggSharp.Kernels.Cuda;

/// <summary>
/// The CUDA backend's formats: conversions between float32 and bf16, NCHW and channels last, and the bf16 mixed-precision
/// kernels (<see cref="CudaPrecision.Bf16"/>). Which kernel runs follows the formats of the tensors given: bf16
/// convolutions and fully-connected layers (float32 weights cast to bf16 on each use, as autocast does; weight gradients
/// summed in float32), bf16 ReLU, max pooling and dropout; every other member converts what it is given to float32, runs
/// its float32 kernel and converts the results back, so any member takes any format.
/// </summary>
public sealed unsafe partial class CudaBackend
{
    /// <summary>Rows a block of <see cref="CudaKernels.SumRows"/> adds up per pass.</summary>
    private const long RowsPerChunk = 512;

    /// <summary>float32 with channels last: TF32 activations, which cuDNN's tensor-core convolutions take without transposing.</summary>
    private static readonly TensorFormat Float32ChannelsLast = new(ElementType.Float32, true);

    /// <summary>
    /// The format of activations of <paramref name="shape"/>: bf16 in <see cref="CudaPrecision.Bf16"/>, float32
    /// otherwise; image batches channels last when <see cref="ChannelsLast"/>.
    /// </summary>
    public TensorFormat ActivationFormat(TensorShape shape) =>
        new(Precision == CudaPrecision.Bf16 ? ElementType.BFloat16 : ElementType.Float32, ChannelsLast && shape.Rank == 4);

    /// <summary>
    /// The format a convolution runs in, from the activation it writes (or reads): bf16 data always channels last (cuDNN's
    /// bf16 kernels want it), float32 data as it is.
    /// </summary>
    private static TensorFormat ConvolutionFormat(Tensor activation) =>
        IsBf16(activation) ? TensorFormat.BFloat16ChannelsLast : activation.Format;

    /// <inheritdoc />
    public Tensor Allocate(TensorShape shape, TensorFormat format)
    {
        format.CheckFits(shape);
        var tensor = new Tensor(new CudaStorage(this, (long)shape.ElementCount * format.ElementSize), shape, format);
        tensor.Clear();
        return tensor;
    }

    /// <inheritdoc />
    public void Convert(Tensor source, Tensor destination) => Convert(source, destination, accumulate: false);

    /// <summary>destination = source, or destination += source (float32 destinations), between any formats.</summary>
    private void Convert(Tensor source, Tensor destination, bool accumulate)
    {
        ShapeCheck.SameShape(source, destination, "source", "destination");
        if (accumulate && !destination.Format.IsFloat32) throw new ArgumentException($"Only float32 tensors accumulate, not {destination.Format}.");
        nint x = On(source), y = On(destination);
        if (!accumulate && source.Format == destination.Format)
        {
            destination.CopyFrom(source);
            return;
        }
        var shape = source.Shape;
        bool image = shape.Rank == 4;
        _gpu.Kernels.Convert(x, TypeCode(source.Format), source.Format.ChannelsLast, y, TypeCode(destination.Format), destination.Format.ChannelsLast,
            accumulate, image ? shape.C : 1, image ? (long)shape.H * shape.W : 1, source.Length);
    }

    private static int TypeCode(TensorFormat format) => format.Type == ElementType.BFloat16 ? 1 : 0;

    private static bool IsBf16(Tensor tensor) => tensor.Format.Type == ElementType.BFloat16;

    private enum Use { Read, Overwrite, Update }

    /// <summary>
    /// <paramref name="tensor"/> in <paramref name="format"/>: itself when it is in it already, else a converted copy
    /// (contents copied in unless overwritten), converted back into <paramref name="tensor"/> when disposed if written.
    /// </summary>
    private Staged As(Tensor tensor, TensorFormat format, Use use)
    {
        if (tensor.Format == format) return new Staged(this, tensor, null, false);
        var copy = Allocate(tensor.Shape, format);
        if (use != Use.Overwrite) Convert(tensor, copy);
        return new Staged(this, copy, use == Use.Read ? null : tensor, true);
    }

    /// <summary>A float32 row-major copy to read (or the tensor itself).</summary>
    private Staged Read32(Tensor tensor) => As(tensor, TensorFormat.Float32, Use.Read);

    /// <summary>A float32 row-major tensor to overwrite, copied back when disposed (or the tensor itself).</summary>
    private Staged Write32(Tensor tensor) => As(tensor, TensorFormat.Float32, Use.Overwrite);

    /// <summary>A float32 row-major tensor to update in place, copied back when disposed (or the tensor itself).</summary>
    private Staged Update32(Tensor tensor) => As(tensor, TensorFormat.Float32, Use.Update);

    private readonly struct Staged(CudaBackend backend, Tensor tensor, Tensor? writeBack, bool owned) : IDisposable
    {
        public Tensor Tensor => tensor;

        public nint Pointer => backend.On(tensor);

        public void Dispose()
        {
            if (!owned) return;
            if (writeBack is not null) backend.Convert(tensor, writeBack);
            tensor.Dispose();
        }
    }

    private void MixedLinearForward(Tensor input, Tensor weight, Tensor bias, Tensor output)
    {
        int n = input.Shape[0], inputs = input.Shape[1], outputs = weight.Shape[0];
        using Staged x = As(input, TensorFormat.BFloat16, Use.Read), w = As(weight, TensorFormat.BFloat16, Use.Read),
            b = As(bias, TensorFormat.Float32, Use.Read), y = As(output, TensorFormat.BFloat16, Use.Overwrite);
        Gemm(Cublas.OpT, Cublas.OpN, outputs, n, inputs, w.Pointer, inputs, x.Pointer, inputs, 0f, y.Pointer, outputs, Cublas.DataBFloat16, Cublas.DataBFloat16);
        _gpu.Kernels.BiasAdd(y.Pointer, 1, b.Pointer, outputs, output.Length);
    }

    private void MixedLinearBackwardData(Tensor gradOutput, Tensor weight, Tensor gradInput)
    {
        int n = gradInput.Shape[0], inputs = gradInput.Shape[1], outputs = weight.Shape[0];
        using Staged dy = As(gradOutput, TensorFormat.BFloat16, Use.Read), w = As(weight, TensorFormat.BFloat16, Use.Read),
            dx = As(gradInput, TensorFormat.BFloat16, Use.Overwrite);
        Gemm(Cublas.OpN, Cublas.OpN, inputs, n, outputs, w.Pointer, inputs, dy.Pointer, outputs, 0f, dx.Pointer, inputs, Cublas.DataBFloat16,
            Cublas.DataBFloat16);
    }

    private void MixedLinearBackwardWeights(Tensor input, Tensor gradOutput, Tensor gradWeight, Tensor gradBias)
    {
        int inputs = input.Shape[1], outputs = gradWeight.Shape[0], n = input.Shape[0];
        using Staged x = As(input, TensorFormat.BFloat16, Use.Read), dy = As(gradOutput, TensorFormat.BFloat16, Use.Read),
            dw = As(gradWeight, TensorFormat.Float32, Use.Update), db = As(gradBias, TensorFormat.Float32, Use.Update);
        // bf16 products summed in float32 straight into the float32 gradient.
        Gemm(Cublas.OpN, Cublas.OpT, inputs, outputs, n, x.Pointer, inputs, dy.Pointer, outputs, 1f, dw.Pointer, inputs, Cublas.DataBFloat16,
            Cublas.DataFloat);
        AddRowSums(dy.Tensor, db.Pointer);
    }

    /// <summary>
    /// db[c] += the sum of <paramref name="gradOutput"/> over every position of channel c, for a tensor whose channel is
    /// innermost ([N, C] or channels last), in passes of <see cref="RowsPerChunk"/> rows until one chunk is left.
    /// </summary>
    private void AddRowSums(Tensor gradOutput, nint db)
    {
        int channels = gradOutput.Shape.Rank == 4 ? gradOutput.Shape.C : gradOutput.Shape[1];
        long rows = gradOutput.Length / channels;
        nint source = On(gradOutput);
        int type = TypeCode(gradOutput.Format);
        CudaStorage? sums = null;
        try
        {
            while (rows > RowsPerChunk)
            {
                long chunks = (rows + RowsPerChunk - 1) / RowsPerChunk;
                var next = Scratch(chunks * channels * sizeof(float));
                _gpu.Kernels.SumRows(source, type, next.Pointer, accumulate: false, channels, rows, RowsPerChunk);
                sums?.Dispose();
                (sums, source, type, rows) = (next, next.Pointer, 0, chunks);
            }
            _gpu.Kernels.SumRows(source, type, db, accumulate: true, channels, rows, RowsPerChunk);
        }
        finally
        {
            sums?.Dispose();
        }
    }
}
