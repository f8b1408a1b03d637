namespace VggSharp.Interop.Onnx;

/// <summary>A graph input or output (ValueInfoProto): its name and, when the file gives them, its dimensions, each a size or null for a symbolic one.</summary>
internal sealed record OnnxValueInfo(string Name, IReadOnlyList<long?>? Dims);
