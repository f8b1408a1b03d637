using System.Buffers.Binary;
using System.Text;
using VggSharp.Interop;
using Xunit;

namespace VggSharp.Tests.Interop;

/// <summary>Crafted headers, each refused with a message that names the problem and without allocating by the header's claims.</summary>
public class SafetensorsHeaderTests
{
    private const string Good = "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    private static byte[] File(byte[] header, int dataLength, ulong? declaredLength = null)
    {
        var bytes = new byte[8 + header.Length + dataLength];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredLength ?? (ulong)header.Length);
        header.CopyTo(bytes, 8);
        return bytes;
    }

    private static byte[] File(string header, int dataLength, ulong? declaredLength = null) => File(Encoding.UTF8.GetBytes(header), dataLength, declaredLength);

    private static WeightsFormatException Refuse(byte[] bytes)
    {
        using var directory = new TemporaryDirectory();
        string path = directory.File("crafted.safetensors");
        System.IO.File.WriteAllBytes(path, bytes);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<WeightsFormatException>(() => VggModelFile.Load(path).Dispose());
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 1_000_000);
        Assert.Equal(path, e.FilePath);
        Assert.StartsWith(path + ": ", e.Message);
        return e;
    }

    public static TheoryData<string, int, string> BadHeaders => new()
    {
        { "[1, 2]", 0, "must be a JSON object, not an array" },
        { "\"text\"", 0, "must be a JSON object, not a string" },
        { "{\"a\":", 0, "not valid JSON" },
        { "", 0, "not valid JSON" },
        { "{\"a\":1}", 0, "tensor a: its entry must be an object, not a number" },
        { "{\"a\":" + Good + ",\"a\":" + Good + "}", 16, "repeats the key a" },
        { "{\"a\":" + Good + ",\"\\u0061\":" + Good + "}", 16, "repeats the key a" },
        { "{\"a\":{\"dtype\":\"XYZ\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "tensor a: unknown dtype 'XYZ'" },
        { "{\"a\":{\"dtype\":\"f32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "unknown dtype 'f32'" },
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,8]}}", 8, "shape holds the negative value -1" },
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":[18446744073709551616],\"data_offsets\":[0,8]}}", 8, "shape must hold integers, found 18446744073709551616" },
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", 8, "shape must hold integers, found 2.5" },
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", 8, "overflows" },
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8, "needs 12 bytes but data_offsets [0, 8] span 8" },
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8, "data_offsets [8, 0] begin after they end" },
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,16]}}", 8, "two integers" },
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}}", 8, "data_offsets holds the negative value -8" },
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[9223372036854775799,9223372036854775807]}}", 8, "gap of 9223372036854775799 bytes" },
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4, "truncated: tensor a ends at data offset 8 but the data has only 4 bytes" },
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 12, "4 bytes at the end of the data belong to no tensor" },
        { "{}", 4, "4 bytes at the end of the data belong to no tensor" },
        { "{\"a\":" + Good + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, "tensor b at [4, 12] overlaps tensor a at [0, 8]" },
        { "{\"a\":" + Good + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]}}", 20, "gap of 4 bytes in the data before tensor b at offset 12" },
        { "{\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 16, "gap of 8 bytes in the data before tensor b" },
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8, "tensor a: the entry needs dtype, shape and data_offsets" },
        { "{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "the field dtype appears twice" },
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"extra\":1}}", 8, "unknown field extra" },
        { "{\"a\":{\"dtype\":32,\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "dtype must be a string, not a number" },
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":2,\"data_offsets\":[0,8]}}", 8, "shape must be an array, not a number" },
        { "{\"__metadata__\":{\"k\":1}}", 0, "__metadata__ value of k must be a string, not a number" },
        { "{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", 0, "__metadata__ repeats the key k" },
        { "{\"__metadata__\":[\"k\"]}", 0, "__metadata__ must be an object of strings, not an array" },
        { "{\"__metadata__\":{},\"__metadata__\":{}}", 0, "repeats the key __metadata__" },
        { "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", 0, "not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(BadHeaders))]
    public void BadHeaderIsRefusedWithItsProblem(string header, int dataLength, string problem)
    {
        Assert.Contains(problem, Refuse(File(header, dataLength)).Problem);
    }

    [Fact]
    public void HeaderLengthOf2To63IsTruncation()
    {
        var e = Refuse(File("{}", 0, declaredLength: 1UL << 63));
        Assert.Equal("truncated: header says 9223372036854775808 bytes but only 2 remain", e.Problem);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void FileShorterThanTheLengthPrefixIsTruncation(int length)
    {
        Assert.StartsWith("truncated: the file has", Refuse(new byte[length]).Problem);
    }

    [Fact]
    public void HeaderLongerThanTheFileIsTruncation()
    {
        Assert.Equal("truncated: header says 1234 bytes but only 56 remain", Refuse(File(new string(' ', 56), 0, declaredLength: 1234)).Problem);
    }

    [Fact]
    public void HeaderAboveTheCapIsRefusedWithoutReadingIt()
    {
        using var directory = new TemporaryDirectory();
        string path = directory.File("huge.safetensors");
        using (var stream = System.IO.File.Create(path))
        {
            var prefix = new byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(prefix, 150_000_000);
            stream.Write(prefix);
            stream.SetLength(200_000_000); // sparse: costs no disk
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<WeightsFormatException>(() => VggModelFile.Load(path).Dispose());
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 1_000_000);
        Assert.Equal("the header length 150000000 exceeds the limit of 100000000 bytes", e.Problem);
    }

    [Fact]
    public void InvalidUtf8IsRefused()
    {
        byte[] header = [.. "{\"a"u8, 0xFF, 0xFE, .. "\":{}}"u8];
        Assert.Equal("the header is not valid UTF-8", Refuse(File(header, 0)).Problem);
    }

    [Fact]
    public void ValidHeaderExposesTensorsInDataOrderAndMetadata()
    {
        using var directory = new TemporaryDirectory();
        string path = directory.File("two.safetensors");
        string header = "{\"__metadata__\":{\"format\":\"pt\"},\"b\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[8,16]},\"a\":{\"dtype\":\"BF16\",\"shape\":[2,2],\"data_offsets\":[0,8]},\"z\":{\"dtype\":\"F16\",\"shape\":[0,5],\"data_offsets\":[16,16]}}   ";
        System.IO.File.WriteAllBytes(path, File(header, 16));

        using var reader = SafetensorsReader.Open(path);

        Assert.Equal(["a", "b", "z"], reader.Header.Tensors.Select(t => t.Name));
        Assert.Equal(SafetensorsDataType.BF16, reader.Header.Find("a")!.DataType);
        Assert.Empty(reader.Header.Find("b")!.Shape);
        Assert.Equal("pt", reader.Header.Metadata["format"]);
        Assert.Equal(16, reader.Header.DataLength);
    }
}
