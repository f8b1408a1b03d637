using VggSharp.Data;
using Xunit;

namespace VggSharp.Tests.Data;

public class Crc32Tests
{
    [Fact]
    public void TheCheckValueIsTheStandards()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
        Assert.Equal(0u, Crc32.Compute([]));
    }

    [Fact]
    public void EveryLengthAndSplitMatchesTheBytewiseDefinition()
    {
        var random = new Random(5);
        var data = new byte[300];
        random.NextBytes(data);
        for (int length = 0; length <= data.Length; length++)
        {
            uint expected = Bytewise(data.AsSpan(0, length));
            Assert.Equal(expected, Crc32.Compute(data.AsSpan(0, length)));
            int split = random.Next(length + 1);
            Assert.Equal(expected, Crc32.Compute(data.AsSpan(split, length - split), Crc32.Compute(data.AsSpan(0, split))));
        }
    }

    private static uint Bytewise(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }
}
