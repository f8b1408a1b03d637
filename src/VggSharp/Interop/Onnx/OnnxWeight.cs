namespace VggSharp.Interop.Onnx;

/// <summary>
/// One tensor of the model, under its torchvision key, and how it comes from a tensor of the file: as it is, or
/// transposed (a Gemm with transB 0 or a MatMul holds fc weights as [inputs, outputs]), or, for a batch norm's running
/// variance, shifted by the difference between the file's epsilon and the model's, so that var + epsilon is the same.
/// </summary>
internal sealed record OnnxWeight(WeightsTensor Info, OnnxTensor Source, bool Transposed = false, float VarianceShift = 0);
