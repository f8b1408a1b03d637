using VggSharp.Tensors;

namespace VggSharp.Kernels.Cuda;

/// <summary>cuDNN's 4-D tensor descriptors, made once per shape and format and kept (they are small host objects).</summary>
internal sealed unsafe class TensorDescriptors
{
    private readonly Dictionary<(int N, int C, int H, int W, TensorFormat Format), nint> _made = [];
    private readonly Lock _gate = new();

    /// <summary>The descriptor of a dense float32 NCHW [n, c, h, w] tensor.</summary>
    public nint Get(int n, int c, int h, int w) => Get(n, c, h, w, TensorFormat.Float32);

    /// <summary>The descriptor of a dense [n, c, h, w] tensor of <paramref name="format"/> (channels last: NHWC in memory).</summary>
    public nint Get(int n, int c, int h, int w, TensorFormat format)
    {
        lock (_gate)
        {
            if (_made.TryGetValue((n, c, h, w, format), out nint descriptor)) return descriptor;
            Cudnn.Check(Cudnn.CreateTensorDescriptor(&descriptor), "cudnnCreateTensorDescriptor");
            Cudnn.Check(Cudnn.SetTensor4dDescriptor(descriptor, Layout(format), DataType(format), n, c, h, w),
                $"cudnnSetTensor4dDescriptor [{n}, {c}, {h}, {w}] {format}");
            _made[(n, c, h, w, format)] = descriptor;
            return descriptor;
        }
    }

    /// <summary>cuDNN's data type of <paramref name="format"/>'s elements.</summary>
    public static int DataType(TensorFormat format) => format.Type == ElementType.BFloat16 ? Cudnn.DataBFloat16 : Cudnn.DataFloat;

    /// <summary>cuDNN's tensor (and filter) layout of <paramref name="format"/>.</summary>
    public static int Layout(TensorFormat format) => format.ChannelsLast ? Cudnn.TensorNhwc : Cudnn.TensorNchw;
}
