namespace VggSharp.Interop.Caffe;

/// <summary>
/// A ConvolutionParameter with Caffe's defaults applied: square or rectangular kernel, padding and stride from either
/// the repeated fields or their _h/_w forms.
/// </summary>
internal sealed record CaffeConvolution(uint? NumOutput, bool BiasTerm, uint? KernelH, uint? KernelW, uint PadH, uint PadW, uint StrideH,
    uint StrideW, uint Dilation, uint Group, int Axis)
{
    private const int MaxValues = 32; // Caffe's kMaxBlobAxes

    /// <summary>Reads the message (caffe.proto's ConvolutionParameter field numbers).</summary>
    public static CaffeConvolution Parse(ProtoFieldReader reader)
    {
        uint? numOutput = null, padH = null, padW = null, kernelH = null, kernelW = null, strideH = null, strideW = null;
        bool biasTerm = true;
        uint group = 1;
        int axis = 1;
        List<uint> pad = [], kernel = [], stride = [], dilation = [];
        while (reader.Next())
        {
            switch (reader.Field)
            {
                case 1: numOutput = reader.UInt32(); break;
                case 2: biasTerm = reader.UInt32() != 0; break;
                case 3: reader.RepeatedUInt32(pad, MaxValues); break;
                case 4: reader.RepeatedUInt32(kernel, MaxValues); break;
                case 5: group = reader.UInt32(); break;
                case 6: reader.RepeatedUInt32(stride, MaxValues); break;
                case 9: padH = reader.UInt32(); break;
                case 10: padW = reader.UInt32(); break;
                case 11: kernelH = reader.UInt32(); break;
                case 12: kernelW = reader.UInt32(); break;
                case 13: strideH = reader.UInt32(); break;
                case 14: strideW = reader.UInt32(); break;
                case 16: axis = reader.Int32(); break;
                case 18: reader.RepeatedUInt32(dilation, MaxValues); break;
                default: reader.Skip(); break;
            }
        }
        var (kh, kw) = kernelH is not null || kernelW is not null ? (kernelH, kernelW) : Pair(kernel, "kernel_size", null);
        var (ph, pw) = padH is not null || padW is not null ? (padH ?? 0, padW ?? 0) : Pair(pad, "pad", 0u);
        var (sh, sw) = strideH is not null || strideW is not null ? (strideH ?? 1, strideW ?? 1) : Pair(stride, "stride", 1u);
        if (dilation.Count > 2) throw new InvalidDataException($"convolution_param has {dilation.Count} dilations; only 2-D convolutions are supported");
        return new CaffeConvolution(numOutput, biasTerm, kh, kw, ph!.Value, pw!.Value, sh!.Value, sw!.Value,
            dilation.Count == 0 ? 1 : dilation.Max(), group, axis);
    }

    /// <summary>One value for both dimensions, or one per dimension; none gives the default.</summary>
    private static (uint? H, uint? W) Pair(List<uint> values, string name, uint? fallback) => values.Count switch
    {
        0 => (fallback, fallback),
        1 => (values[0], values[0]),
        2 => (values[0], values[1]),
        _ => throw new InvalidDataException($"convolution_param has {values.Count} values of {name}; only 2-D convolutions are supported"),
    };
}
