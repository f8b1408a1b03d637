using VggSharp.Interop;

namespace VggSharp.Data;

/// <summary>Decodes an image file of either supported kind, recognised by its first bytes rather than its name.</summary>
public static class ImageDecoder
{
    /// <summary>
    /// Decodes a PNG (by its signature) or a JPEG (by its SOI marker); anything else throws <see cref="ImageFormatException"/>.
    /// <paramref name="shortSideHint"/> lets JPEGs decode at a reduced size no smaller than it; PNGs ignore it.
    /// </summary>
    public static DecodedImage Decode(ReadOnlySpan<byte> data, string source, int? shortSideHint = null)
    {
        if (data.StartsWith(PngDecoder.Signature)) return PngDecoder.Decode(data, source);
        if (data.StartsWith(JpegDecoder.StartOfImage)) return JpegDecoder.Decode(data, source, shortSideHint);
        throw new ImageFormatException(source, $"not a PNG or JPEG image (starts with {Describe(data)})");
    }

    /// <summary>Reads and decodes an image file; unreadable files also throw <see cref="ImageFormatException"/> naming the path.</summary>
    public static DecodedImage DecodeFile(string path, int? shortSideHint = null)
    {
        byte[] data;
        try
        {
            using var file = RegularFile.OpenRead(path);
            if (file.Length > ImageLimits.MaxFileBytes)
                throw new ImageFormatException(path, $"file of {file.Length} bytes exceeds the {ImageLimits.MaxFileBytes}-byte limit for images");
            data = new byte[file.Length];
            file.ReadExactly(data);
        }
        catch (UnreadableFileException e)
        {
            throw new ImageFormatException(path, e.Problem, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageFormatException(path, "cannot be read: " + e.Message, e);
        }
        return Decode(data, path, shortSideHint);
    }

    // The first bytes in hex, with their printable ASCII alongside, so "GIF89a" or "BM" is recognisable at a glance.
    private static string Describe(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty) return "nothing: the file is empty";
        ReadOnlySpan<byte> head = data[..Math.Min(8, data.Length)];
        var text = new char[head.Length];
        for (int i = 0; i < head.Length; i++) text[i] = head[i] is >= 0x20 and < 0x7F ? (char)head[i] : '.';
        return $"{Convert.ToHexString(head)} \"{new string(text)}\"";
    }
}
