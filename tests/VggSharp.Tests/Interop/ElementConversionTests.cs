using System.Buffers.Binary;
using VggSharp.Interop;
using VggSharp.Layers;
using Xunit;

namespace VggSharp.Tests.Interop;

/// <summary>Weights stored in half, bfloat16 or double precision load as float32: the first two exactly, double rounded to nearest.</summary>
public class ElementConversionTests
{
    [Theory]
    [InlineData(SafetensorsDataType.F16)]
    [InlineData(SafetensorsDataType.BF16)]
    [InlineData(SafetensorsDataType.F64)]
    public void FloatWeightsConvertToSingle(SafetensorsDataType type)
    {
        using var directory = new TemporaryDirectory();
        string path = directory.File("converted.safetensors");
        using var source = SmallModels.Create(SmallModels.Tiny, 1);
        var expected = new Dictionary<string, float[]>();
        var tensors = source.State().Select(e =>
        {
            long[] shape = e.Shape.Select(d => (long)d).ToArray();
            if (e.ElementType == StateElementType.Int64) return new SafetensorsTensorSource(e.Key, SafetensorsDataType.I64, shape, () => e.Bytes);
            float[] values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(e.Bytes).ToArray();
            var (bytes, rounded) = Encode(values, type);
            expected[e.Key] = rounded;
            return new SafetensorsTensorSource(e.Key, type, shape, () => bytes);
        }).ToList();
        SafetensorsWriter.Write(path, tensors);

        using var loaded = WeightsFile.Load(path, SmallModels.Tiny);

        foreach (var entry in loaded.State().Where(e => e.ElementType == StateElementType.Float32))
            Assert.Equal(expected[entry.Key], System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(entry.Bytes).ToArray());
    }

    /// <summary>The values stored as <paramref name="type"/>, and the float32 each stored value stands for.</summary>
    private static (byte[] Bytes, float[] Rounded) Encode(float[] values, SafetensorsDataType type)
    {
        int size = type.ElementSize();
        var bytes = new byte[values.Length * size];
        var rounded = new float[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            var slot = bytes.AsSpan(i * size);
            switch (type)
            {
                case SafetensorsDataType.F16:
                    BinaryPrimitives.WriteHalfLittleEndian(slot, (Half)values[i]);
                    rounded[i] = (float)(Half)values[i];
                    break;
                case SafetensorsDataType.BF16:
                    int bits = BitConverter.SingleToInt32Bits(values[i]) & unchecked((int)0xFFFF0000);
                    BinaryPrimitives.WriteUInt16LittleEndian(slot, (ushort)(bits >>> 16));
                    rounded[i] = BitConverter.Int32BitsToSingle(bits);
                    break;
                default:
                    double wide = values[i] + 1e-12; // a double that is not a float, to be rounded back
                    BinaryPrimitives.WriteDoubleLittleEndian(slot, wide);
                    rounded[i] = (float)wide;
                    break;
            }
        }
        return (bytes, rounded);
    }
}
