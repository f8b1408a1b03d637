namespace VggSharp.Interop.Caffe;

/// <summary>
/// A data layer's TransformationParameter: the scale and per-channel mean Caffe applied to its input,
/// (pixel - mean) * scale, when the file states them.
/// </summary>
internal sealed record CaffeTransform(float Scale, IReadOnlyList<float> MeanValues)
{
    private const int MaxMeanValues = 32;

    /// <summary>Reads the message (caffe.proto's TransformationParameter field numbers: scale 1, mean_value 5).</summary>
    public static CaffeTransform Parse(ProtoFieldReader reader)
    {
        float scale = 1f;
        var means = new List<float>();
        while (reader.Next())
        {
            switch (reader.Field)
            {
                case 1:
                    scale = reader.Float();
                    break;
                case 5:
                    reader.RepeatedFloat(means, MaxMeanValues);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        return new CaffeTransform(scale, means);
    }
}
