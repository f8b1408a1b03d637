using VggSharp.Data;
using Xunit;

namespace VggSharp.Tests.Data;

/// <summary>Dispatch by content: PNG and JPEG are decoded whatever their names, anything else is refused clearly.</summary>
public class ImageDecoderTests
{
    [Fact]
    public void DispatchesByMagicBytes()
    {
        Assert.Equal(3, ImageDecoder.Decode(ImageFixtures.Bytes("real/palette_color.png"), "x.jpg").Channels);
        Assert.Equal(1, ImageDecoder.Decode(ImageFixtures.Bytes("jpeg/camera_gray.jpg"), "x.png").Channels);
        Assert.Equal(80, ImageDecoder.Decode(ImageFixtures.Bytes("jpeg/camera_gray.jpg"), "x.png", shortSideHint: 80).Width);
    }

    [Theory]
    [InlineData(new byte[0], "nothing: the file is empty")]
    [InlineData(new byte[] { (byte)'G', (byte)'I', (byte)'F', (byte)'8', (byte)'9', (byte)'a', 1, 0, 1, 0 }, "474946383961 0100 \"GIF89a..\"")]
    [InlineData(new byte[] { (byte)'B', (byte)'M', 0x36, 0, 0, 0 }, "\"BM6...\"")]
    [InlineData(new byte[] { (byte)'h', (byte)'e', (byte)'l', (byte)'l', (byte)'o', (byte)'\n' }, "\"hello.\"")]
    [InlineData(new byte[] { 0xFF, 0xD8 }, "FFD8")]
    public void RefusesOtherContentNamingItsFirstBytes(byte[] data, string start)
    {
        var e = Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode(data, "img/x.png"));
        Assert.StartsWith("img/x.png: not a PNG or JPEG image (starts with ", e.Message);
        Assert.Contains(start.Replace(" 0100", "0100"), e.Message);
    }
}
