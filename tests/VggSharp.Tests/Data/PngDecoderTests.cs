using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using VggSharp.Data;
using Xunit;

namespace VggSharp.Tests.Data;

/// <summary>The PNG decoder against PIL on real and synthetic files, and on hostile ones.</summary>
public class PngDecoderTests
{
    public static TheoryData<string> PngFixtures() => new(ImageFixtures.ExpectedPngs.Keys.Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(PngFixtures))]
    public void DecodesLikePil(string fixture)
    {
        var expected = ImageFixtures.ExpectedPngs[fixture];
        DecodedImage image = PngDecoder.Decode(ImageFixtures.Bytes(fixture), fixture);
        Assert.Equal((expected.Width, expected.Height, expected.Channels), (image.Width, image.Height, image.Channels));
        Assert.Equal(expected.Sha256, ImageFixtures.Sha256(image));
    }

    [Fact]
    public void FixturesCoverEveryColourTypeDepthAndInterlacing()
    {
        var names = ImageFixtures.ExpectedPngs.Keys.ToHashSet();
        foreach (var (colorType, depths) in new[] { (0, new[] { 1, 2, 4, 8, 16 }), (2, [8, 16]), (3, [1, 2, 4, 8]), (4, [8, 16]), (6, [8, 16]) })
        foreach (int depth in depths)
        foreach (string interlace in new[] { "plain", "adam7" })
            Assert.Contains($"synth/ct{colorType}_{depth}bit_{interlace}_37x23.png", names);
    }

    [Fact]
    public void RefusesABadChunkCrcNamingTheChunk()
    {
        byte[] png = ImageFixtures.Bytes("real/palette_color.png");
        png[8 + 8 + 5] ^= 1; // a byte of the IHDR data
        var e = Assert.Throws<ImageFormatException>(() => PngDecoder.Decode(png, "bad.png"));
        Assert.Contains("IHDR", e.Message);
        Assert.Contains("CRC", e.Message);
        Assert.StartsWith("bad.png: ", e.Message);
    }

    [Theory]
    [InlineData(0u, 10u, "not positive")]
    [InlineData(20000u, 10u, "exceeds")]
    [InlineData(16384u, 16384u, "exceeds")]
    [InlineData(0x80000000u, 1u, "exceeds")]
    public void RefusesImageSizesOutsideTheCaps(uint width, uint height, string reason)
    {
        byte[] png = WithHeader(ImageFixtures.Bytes("synth/ct2_8bit_plain_37x23.png"), width, height);
        var e = Assert.Throws<ImageFormatException>(() => PngDecoder.Decode(png, "big.png"));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void RefusesALargeSizeThatItsDataCannotHoldBeforeAllocating()
    {
        // 16000 x 4000 RGB would be 192 MB; the file's few kilobytes of deflate data cannot inflate to that.
        byte[] png = WithHeader(ImageFixtures.Bytes("synth/ct2_8bit_plain_37x23.png"), 16000, 4000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ImageFormatException>(() => PngDecoder.Decode(png, "big.png"));
        Assert.Contains("too short", e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
    }

    [Fact]
    public void RefusesMissingPaletteUnknownFilterAndUnknownCriticalChunk()
    {
        byte[] palette = ImageFixtures.Bytes("synth/ct3_8bit_plain_37x23.png");
        Assert.Contains("no PLTE", Assert.Throws<ImageFormatException>(() => PngDecoder.Decode(WithoutChunk(palette, "PLTE"), "p.png")).Message);

        byte[] badFilter = Rebuild(ImageFixtures.Bytes("synth/ct0_8bit_plain_37x23.png"), raw => raw[0] = 7);
        Assert.Contains("filter type 7", Assert.Throws<ImageFormatException>(() => PngDecoder.Decode(badFilter, "f.png")).Message);

        byte[] critical = InsertChunkAfterHeader(palette, "ZZZZ", [1, 2, 3]);
        Assert.Contains("unknown critical chunk ZZZZ", Assert.Throws<ImageFormatException>(() => PngDecoder.Decode(critical, "c.png")).Message);
        byte[] ancillary = InsertChunkAfterHeader(palette, "zzZz", [1, 2, 3]);
        Assert.Equal(ImageFixtures.ExpectedPngs["synth/ct3_8bit_plain_37x23.png"].Sha256, ImageFixtures.Sha256(PngDecoder.Decode(ancillary, "a.png")));
    }

    [Fact]
    public void RefusesPaletteIndicesBeyondThePalette()
    {
        // The 8-bit palette fixture has 200 entries; index 250 is out of range.
        byte[] png = Rebuild(ImageFixtures.Bytes("synth/ct3_8bit_plain_37x23.png"), raw => { raw[0] = 0; raw[1] = 250; });
        Assert.Contains("palette index 250", Assert.Throws<ImageFormatException>(() => PngDecoder.Decode(png, "p.png")).Message);
    }

    [Theory]
    [InlineData("synth/ct3_4bit_adam7_37x23.png")]
    [InlineData("synth/ct6_16bit_plain_3x2.png")]
    [InlineData("real/palette_color.png")]
    public void EveryTruncationIsRefused(string fixture)
    {
        byte[] png = ImageFixtures.Bytes(fixture);
        for (int length = 0; length < png.Length; length++)
        {
            var e = Record.Exception(() => PngDecoder.Decode(png.AsSpan(0, length), "truncated.png"));
            Assert.True(e is ImageFormatException, $"length {length}: {e?.GetType().Name ?? "decoded"} {e?.Message}");
        }
    }

    [Theory]
    [InlineData("synth/ct3_2bit_adam7_37x23.png", false)]
    [InlineData("synth/ct0_16bit_adam7_37x23.png", true)]
    [InlineData("synth/ct6_8bit_adam7_37x23.png", true)]
    [InlineData("real/microaneurysms.png", true)]
    public void ChangedBytesDecodeOrAreRefused(string fixture, bool fixCrcs)
    {
        // With fixCrcs the chunk CRCs are recomputed after the change, so the damage reaches the parser and inflater.
        byte[] valid = ImageFixtures.Bytes(fixture);
        var random = new Random(fixture.Length * 7919 + (fixCrcs ? 1 : 0));
        int decoded = 0, refused = 0;
        for (int trial = 0; trial < 1500; trial++)
        {
            byte[] png = (byte[])valid.Clone();
            for (int c = 1 + random.Next(3); c > 0; c--) png[random.Next(png.Length)] ^= (byte)(1 + random.Next(255));
            if (fixCrcs) FixCrcs(png);
            try
            {
                PngDecoder.Decode(png, "changed.png");
                decoded++;
            }
            catch (ImageFormatException)
            {
                refused++;
            }
            catch (Exception e)
            {
                Assert.Fail($"trial {trial}: {e.GetType().Name}: {e.Message}");
            }
        }
        Assert.True(refused > 0, $"{decoded} decoded, {refused} refused");
    }

    private static byte[] WithHeader(byte[] png, uint width, uint height)
    {
        byte[] copy = (byte[])png.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(16), width);
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(20), height);
        FixCrcs(copy);
        return copy;
    }

    // Recomputes every chunk's CRC, stopping where a length runs past the end.
    private static void FixCrcs(byte[] png)
    {
        for (int offset = 8; offset + 12 <= png.Length;)
        {
            uint length = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(offset));
            if (length > png.Length - offset - 12) return;
            uint crc = Crc32.HashToUInt32(png.AsSpan(offset + 4, 4 + (int)length));
            BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(offset + 8 + (int)length), crc);
            offset += 12 + (int)length;
        }
    }

    private static List<(string Type, byte[] Body)> Chunks(byte[] png)
    {
        var chunks = new List<(string, byte[])>();
        for (int offset = 8; offset < png.Length;)
        {
            int length = (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(offset));
            chunks.Add((System.Text.Encoding.ASCII.GetString(png, offset + 4, 4), png.AsSpan(offset + 8, length).ToArray()));
            offset += 12 + length;
        }
        return chunks;
    }

    private static byte[] Assemble(IEnumerable<(string Type, byte[] Body)> chunks)
    {
        var output = new MemoryStream();
        output.Write(PngDecoder.Signature);
        Span<byte> word = stackalloc byte[4];
        foreach (var (type, body) in chunks)
        {
            byte[] typeAndBody = [.. System.Text.Encoding.ASCII.GetBytes(type), .. body];
            BinaryPrimitives.WriteUInt32BigEndian(word, (uint)body.Length);
            output.Write(word);
            output.Write(typeAndBody);
            BinaryPrimitives.WriteUInt32BigEndian(word, Crc32.HashToUInt32(typeAndBody));
            output.Write(word);
        }
        return output.ToArray();
    }

    private static byte[] WithoutChunk(byte[] png, string type) => Assemble(Chunks(png).Where(c => c.Type != type));

    private static byte[] InsertChunkAfterHeader(byte[] png, string type, byte[] body)
    {
        var chunks = Chunks(png);
        chunks.Insert(1, (type, body));
        return Assemble(chunks);
    }

    // Inflates the image data, lets the test change the filtered scanlines, and deflates them again as one IDAT.
    private static byte[] Rebuild(byte[] png, Action<byte[]> change)
    {
        var chunks = Chunks(png);
        byte[] compressed = chunks.Where(c => c.Type == "IDAT").SelectMany(c => c.Body).ToArray();
        using var inflater = new ZLibStream(new MemoryStream(compressed), CompressionMode.Decompress);
        var raw = new MemoryStream();
        inflater.CopyTo(raw);
        byte[] scanlines = raw.ToArray();
        change(scanlines);
        var deflated = new MemoryStream();
        using (var deflater = new ZLibStream(deflated, CompressionLevel.Optimal, leaveOpen: true)) deflater.Write(scanlines);
        int first = chunks.FindIndex(c => c.Type == "IDAT");
        chunks.RemoveAll(c => c.Type == "IDAT");
        chunks.Insert(first, ("IDAT", deflated.ToArray()));
        return Assemble(chunks);
    }
}
