namespace VggSharp.Kernels.Cuda;

/// <summary>cuDNN's 4-D float NCHW tensor descriptors, made once per shape and kept (they are small host objects).</summary>
internal sealed unsafe class TensorDescriptors
{
    private readonly Dictionary<(int N, int C, int H, int W), nint> _made = [];
    private readonly Lock _gate = new();

    /// <summary>The descriptor of a dense [n, c, h, w] float tensor.</summary>
    public nint Get(int n, int c, int h, int w)
    {
        lock (_gate)
        {
            if (_made.TryGetValue((n, c, h, w), out nint descriptor)) return descriptor;
            Cudnn.Check(Cudnn.CreateTensorDescriptor(&descriptor), "cudnnCreateTensorDescriptor");
            Cudnn.Check(Cudnn.SetTensor4dDescriptor(descriptor, Cudnn.TensorNchw, Cudnn.DataFloat, n, c, h, w), $"cudnnSetTensor4dDescriptor [{n}, {c}, {h}, {w}]");
            _made[(n, c, h, w)] = descriptor;
            return descriptor;
        }
    }
}
