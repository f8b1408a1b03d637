namespace VggSharp.Interop.Caffe;

/// <summary>
/// One layer of a Caffe network as the file describes it, from either layer format: its name, its type by
/// LayerParameter's name ("Convolution"; V1's enum values are translated), its blobs located in the file, and the
/// parameters VGG's layers use (null when the file has none).
/// </summary>
internal sealed record CaffeLayer(int Index, string Name, string Type, IReadOnlyList<CaffeBlob> Blobs)
{
    /// <summary>convolution_param.</summary>
    public CaffeConvolution? Convolution { get; init; }

    /// <summary>pooling_param.</summary>
    public CaffePooling? Pooling { get; init; }

    /// <summary>lrn_param.</summary>
    public CaffeLrn? Lrn { get; init; }

    /// <summary>inner_product_param.</summary>
    public CaffeInnerProduct? InnerProduct { get; init; }

    /// <summary>dropout_param.dropout_ratio.</summary>
    public float? DropoutRatio { get; init; }

    /// <summary>transform_param, on data layers.</summary>
    public CaffeTransform? Transform { get; init; }

    /// <summary>relu_param.negative_slope.</summary>
    public float? NegativeSlope { get; init; }

    /// <summary>"layer 3 (conv2_1)", for messages.</summary>
    public string Describe() => $"layer {Index} ({(Name.Length == 0 ? "unnamed" : Name)}, {Type})";
}
