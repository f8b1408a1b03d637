using System.Text;
using VggSharp.Interop;
using VggSharp.Interop.Numpy;
using VggSharp.Tests.Interop.PyTorch;
using Xunit;

namespace VggSharp.Tests.Interop;

/// <summary>NumPy .npy files: what np.save writes reads back exactly, what we write has NumPy's layout, and anything else is refused by name.</summary>
public class NpyTests
{
    private static byte[] File(string dict, int dataBytes, int major = 1)
    {
        byte[] text = Encoding.ASCII.GetBytes(dict + "\n");
        var header = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)major, 0 };
        header.AddRange(major == 1 ? BitConverter.GetBytes((ushort)text.Length) : BitConverter.GetBytes((uint)text.Length));
        return [.. header, .. text, .. new byte[dataBytes]];
    }

    private static string Refusal(TemporaryDirectory directory, byte[] bytes)
    {
        string path = directory.File("x.npy");
        System.IO.File.WriteAllBytes(path, bytes);
        return Assert.Throws<WeightsFormatException>(() => NpyReader.Open(path).Dispose()).Problem;
    }

    [Fact]
    public void NumPysFilesRead()
    {
        using var reader = NpyReader.Open(PyTorchFixtures.File("input_32.npy"));
        var values = new float[reader.ElementCount];
        reader.Read(0, values);

        Assert.Equal(new long[] { 2, 3, 32, 32 }, reader.Shape);
        Assert.All(values, v => Assert.InRange(v, -1f, 1f));
        Assert.Contains(values, v => v != 0);
    }

    [Theory]
    [InlineData(new long[] { 2, 3 })]
    [InlineData(new long[] { 5 })]
    [InlineData(new long[] { })]
    [InlineData(new long[] { 0, 4 })]
    public void WhatWeWriteReadsBackWithNumPysLayout(long[] shape)
    {
        using var directory = new TemporaryDirectory();
        string path = directory.File("a.npy");
        float[] data = [.. Enumerable.Range(0, (int)shape.Aggregate(1L, (a, b) => a * b)).Select(i => i * 0.5f - 1)];

        NpyWriter.Write(path, shape, data);

        byte[] bytes = System.IO.File.ReadAllBytes(path);
        int dataStart = bytes.Length - data.Length * 4;
        Assert.Equal(0, dataStart % 64);
        string dims = shape.Length == 1 ? $"{shape[0]}," : string.Join(", ", shape);
        Assert.StartsWith($"{{'descr': '<f4', 'fortran_order': False, 'shape': ({dims}), }}", Encoding.ASCII.GetString(bytes, 10, dataStart - 10));
        Assert.Equal((byte)'\n', bytes[dataStart - 1]);
        using var reader = NpyReader.Open(path);
        var read = new float[reader.ElementCount];
        reader.Read(0, read);
        Assert.Equal(shape, reader.Shape);
        Assert.Equal(data, read);
    }

    [Theory]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 16, "dtype '<f8': only '<f4' (little-endian float32) is read; save the array with x.astype('<f4')")]
    [InlineData("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8, "dtype '>f4': only '<f4'")]
    [InlineData("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16, "the array is in Fortran order")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 20, "truncated: shape (2, 3) needs 24 bytes of data but the file has 20")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 12, "shape (2) needs 8 bytes of data but the file has 12")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (9223372036854775807, 2), }", 0, "overflows")]
    [InlineData("{'descr': '<f4', 'shape': (2,), }", 8, "it needs 'descr', 'fortran_order' and 'shape'")]
    [InlineData("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 8, "unexpected or repeated key 'descr'")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", 8, "expected a non-negative integer")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } x", 8, "unexpected text after the dict")]
    [InlineData("__import__('os')", 8, "expected '{'")]
    public void BadHeadersAreNamed(string dict, int dataBytes, string problem)
    {
        using var directory = new TemporaryDirectory();
        Assert.Contains(problem, Refusal(directory, File(dict, dataBytes)));
    }

    [Fact]
    public void BadPrefixesAreNamed()
    {
        using var directory = new TemporaryDirectory();
        byte[] good = File("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 8);

        Assert.Equal("not a .npy file (it does not start with \\x93NUMPY)", Refusal(directory, [.. "PK\u0003\u0004 not numpy"u8]));
        Assert.Equal("npy format version 4.0 is not 1.0, 2.0 or 3.0", Refusal(directory, [.. good[..6], 4, .. good[7..]]));
        Assert.StartsWith("truncated: the header claims 65535 bytes", Refusal(directory, [.. good[..8], 0xFF, 0xFF, .. good[10..]]));
        Assert.Contains("(2,)", Encoding.ASCII.GetString(File("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 8, major: 2)));
        string path = directory.File("v2.npy");
        System.IO.File.WriteAllBytes(path, File("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 8, major: 2));
        using var version2 = NpyReader.Open(path);
        Assert.Equal([2L], version2.Shape);
    }

    [Fact]
    public void EveryTruncationIsRefused()
    {
        using var directory = new TemporaryDirectory();
        string path = directory.File("a.npy");
        NpyWriter.Write(path, [2, 3], new float[6]);
        byte[] valid = System.IO.File.ReadAllBytes(path);

        for (int length = 0; length < valid.Length; length++)
            Assert.StartsWith("truncated", Refusal(directory, valid[..length]));
    }
}
