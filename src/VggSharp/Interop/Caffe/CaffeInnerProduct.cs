namespace VggSharp.Interop.Caffe;

/// <summary>An InnerProductParameter with Caffe's defaults applied (a bias, weights [outputs, inputs], axis 1).</summary>
internal sealed record CaffeInnerProduct(uint? NumOutput, bool BiasTerm, bool Transpose, int Axis)
{
    /// <summary>Reads the message (caffe.proto's InnerProductParameter field numbers).</summary>
    public static CaffeInnerProduct Parse(ProtoFieldReader reader)
    {
        uint? numOutput = null;
        bool biasTerm = true, transpose = false;
        int axis = 1;
        while (reader.Next())
        {
            switch (reader.Field)
            {
                case 1: numOutput = reader.UInt32(); break;
                case 2: biasTerm = reader.UInt32() != 0; break;
                case 5: axis = reader.Int32(); break;
                case 6: transpose = reader.UInt32() != 0; break;
                default: reader.Skip(); break;
            }
        }
        return new CaffeInnerProduct(numOutput, biasTerm, transpose, axis);
    }
}
