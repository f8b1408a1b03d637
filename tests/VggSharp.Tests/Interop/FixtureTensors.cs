using VggSharp.Interop;
using VggSharp.Tensors;

namespace VggSharp.Tests.Interop;

/// <summary>The float32 arrays that fixture scripts store in safetensors files beside a model (inputs, expected logits).</summary>
public static class FixtureTensors
{
    /// <summary>The tensor named <paramref name="name"/>, in a new tensor of its shape.</summary>
    public static Tensor Read(SafetensorsReader file, string name)
    {
        var info = file.Header.Find(name)!;
        var tensor = new Tensor(info.Shape.Select(d => (int)d).ToArray());
        file.ReadTensor(info, tensor.Bytes);
        return tensor;
    }
}
