namespace VggSharp.Interop.Caffe;

/// <summary>
/// V1LayerParameter.LayerType (the enum of Caffe's 2014 format, in which the original VGG release is stored) as the
/// type names LayerParameter uses, the same translation Caffe's own upgrade applies.
/// </summary>
internal static class CaffeLayerTypes
{
    private static readonly Dictionary<uint, string> V1Names = new()
    {
        [0] = "", [35] = "AbsVal", [1] = "Accuracy", [30] = "ArgMax", [2] = "BNLL", [3] = "Concat", [37] = "ContrastiveLoss",
        [4] = "Convolution", [5] = "Data", [39] = "Deconvolution", [6] = "Dropout", [32] = "DummyData", [7] = "EuclideanLoss",
        [25] = "Eltwise", [38] = "Exp", [8] = "Flatten", [9] = "HDF5Data", [10] = "HDF5Output", [28] = "HingeLoss", [11] = "Im2col",
        [12] = "ImageData", [13] = "InfogainLoss", [14] = "InnerProduct", [15] = "LRN", [29] = "MemoryData",
        [16] = "MultinomialLogisticLoss", [34] = "MVN", [17] = "Pooling", [26] = "Power", [18] = "ReLU", [19] = "Sigmoid",
        [27] = "SigmoidCrossEntropyLoss", [36] = "Silence", [20] = "Softmax", [21] = "SoftmaxWithLoss", [22] = "Split", [33] = "Slice",
        [23] = "TanH", [24] = "WindowData", [31] = "Threshold",
    };

    /// <summary>The type name of a V1 enum value, or "V1 type N" for a value the enum does not have.</summary>
    public static string FromV1(uint value) => V1Names.TryGetValue(value, out var name) ? name : $"V1 type {value}";
}
