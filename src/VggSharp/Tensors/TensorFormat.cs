namespace VggSharp.Tensors;

/// <summary>
/// How a tensor's elements lie in memory: their type, and for an image batch [N, C, H, W] whether channels come last
/// (NHWC in memory, as tensor cores want them) instead of PyTorch's default NCHW. The shape is always given as
/// [N, C, H, W]; only the order in memory differs. Host tensors are always <see cref="Float32"/>; a backend's
/// <see cref="Kernels.IBackend.ActivationFormat"/> says what its layers' outputs use.
/// </summary>
/// <param name="Type">The element type.</param>
/// <param name="ChannelsLast">For rank-4 tensors: NHWC in memory; always false for other ranks.</param>
public readonly record struct TensorFormat(ElementType Type, bool ChannelsLast)
{
    /// <summary>Float32 in row-major order (NCHW for images): every host tensor's format.</summary>
    public static TensorFormat Float32 => default;

    /// <summary>bfloat16 in row-major order.</summary>
    public static TensorFormat BFloat16 => new(ElementType.BFloat16, false);

    /// <summary>bfloat16 with channels last (NHWC in memory).</summary>
    public static TensorFormat BFloat16ChannelsLast => new(ElementType.BFloat16, true);

    /// <summary>Bytes per element.</summary>
    public int ElementSize => Type == ElementType.BFloat16 ? 2 : 4;

    /// <summary>True for float32 in row-major order, the only format whose elements a host span can show.</summary>
    public bool IsFloat32 => this == Float32;

    /// <summary>Throws unless this format can describe a tensor of <paramref name="shape"/> (channels last needs rank 4).</summary>
    public void CheckFits(TensorShape shape)
    {
        if (!Enum.IsDefined(Type)) throw new ArgumentOutOfRangeException(nameof(Type), Type, "Unknown element type.");
        if (ChannelsLast && shape.Rank != 4) throw new ArgumentException($"Channels last needs an [N, C, H, W] shape, got {shape}.");
    }

    /// <inheritdoc />
    public override string ToString() => (Type == ElementType.BFloat16 ? "bf16" : "fp32") + (ChannelsLast ? " channels-last" : "");
}
