namespace VggSharp.Interop.Caffe;

/// <summary>An LRNParameter with Caffe's defaults applied (size 5, alpha 1, beta 0.75, k 1, across channels).</summary>
internal sealed record CaffeLrn(uint LocalSize, float Alpha, float Beta, float K, bool AcrossChannels)
{
    /// <summary>Reads the message (caffe.proto's LRNParameter field numbers).</summary>
    public static CaffeLrn Parse(ProtoFieldReader reader)
    {
        uint size = 5, region = 0;
        float alpha = 1f, beta = 0.75f, k = 1f;
        while (reader.Next())
        {
            switch (reader.Field)
            {
                case 1: size = reader.UInt32(); break;
                case 2: alpha = reader.Float(); break;
                case 3: beta = reader.Float(); break;
                case 4: region = reader.UInt32(); break;
                case 5: k = reader.Float(); break;
                default: reader.Skip(); break;
            }
        }
        return new CaffeLrn(size, alpha, beta, k, region == 0);
    }
}
