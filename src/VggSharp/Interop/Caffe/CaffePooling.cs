namespace VggSharp.Interop.Caffe;

/// <summary>
/// A PoolingParameter with Caffe's defaults applied (max pooling, stride 1, no padding). Its round mode is not read:
/// the maps a VGG pools have even sides (the input size is derived from them), where both modes agree.
/// </summary>
internal sealed record CaffePooling(CaffePoolMethod Method, uint? KernelH, uint? KernelW, uint StrideH, uint StrideW, uint PadH, uint PadW,
    bool Global)
{
    /// <summary>Reads the message (caffe.proto's PoolingParameter field numbers).</summary>
    public static CaffePooling Parse(ProtoFieldReader reader)
    {
        uint method = 0, stride = 1, pad = 0;
        uint? kernel = null, kernelH = null, kernelW = null, strideH = null, strideW = null, padH = null, padW = null;
        bool global = false;
        while (reader.Next())
        {
            switch (reader.Field)
            {
                case 1: method = reader.UInt32(); break;
                case 2: kernel = reader.UInt32(); break;
                case 3: stride = reader.UInt32(); break;
                case 4: pad = reader.UInt32(); break;
                case 5: kernelH = reader.UInt32(); break;
                case 6: kernelW = reader.UInt32(); break;
                case 7: strideH = reader.UInt32(); break;
                case 8: strideW = reader.UInt32(); break;
                case 9: padH = reader.UInt32(); break;
                case 10: padW = reader.UInt32(); break;
                case 12: global = reader.UInt32() != 0; break;
                default: reader.Skip(); break;
            }
        }
        return new CaffePooling(method switch { 0 => CaffePoolMethod.Max, 1 => CaffePoolMethod.Average, _ => CaffePoolMethod.Other },
            kernelH ?? kernel, kernelW ?? kernel, strideH ?? stride, strideW ?? stride, padH ?? pad, padW ?? pad, global);
    }
}

/// <summary>PoolingParameter.PoolMethod.</summary>
internal enum CaffePoolMethod { Max, Average, Other }
