using System.Runtime.InteropServices;

namespace VggSharp.Data;

/// <summary>
/// Decodes JPEG files with libjpeg-turbo's TurboJPEG library (Debian's libturbojpeg0), one handle per call so that
/// threads never share one. Grayscale JPEGs give 1 channel, colour ones RGB; CMYK is refused. Warnings count as
/// errors, so a truncated file is refused instead of decoding to a half-grey image.
/// </summary>
public static class JpegDecoder
{
    /// <summary>The bytes every JPEG file starts with: the SOI marker and the first byte of the next marker.</summary>
    public static ReadOnlySpan<byte> StartOfImage => [0xFF, 0xD8, 0xFF];

    private static readonly Lazy<(int Num, int Denom)[]> ScalingFactors = new(ReadScalingFactors);

    /// <summary>
    /// Decodes a JPEG file. With <paramref name="shortSideHint"/>, decodes at the smallest of libjpeg-turbo's DCT scaling
    /// factors (7/8 down to 1/8) whose short side, rounded up as TJSCALED does, is still at least the hint; never above
    /// full size. A bad file throws <see cref="ImageFormatException"/>; a missing library <see cref="InvalidOperationException"/>.
    /// </summary>
    public static unsafe DecodedImage Decode(ReadOnlySpan<byte> data, string source, int? shortSideHint = null)
    {
        nint handle = CreateHandle();
        try
        {
            fixed (byte* jpeg = data)
            {
                if (TurboJpegNative.DecompressHeader3(handle, jpeg, (nuint)data.Length, out int width, out int height, out _, out int colorspace) != 0)
                    throw new ImageFormatException(source, "JPEG header cannot be read: " + ErrorText(handle));
                if (colorspace is TurboJpegNative.ColorspaceCmyk or TurboJpegNative.ColorspaceYcck)
                    throw new ImageFormatException(source, "CMYK JPEGs are not supported; convert the image to RGB");
                if (ImageLimits.CheckSize(width, height) is { } sizeProblem) throw new ImageFormatException(source, "JPEG " + sizeProblem);

                var (num, denom) = JpegScaling.Choose(width, height, shortSideHint, ScalingFactors.Value);
                int scaledWidth = JpegScaling.Scaled(width, num, denom), scaledHeight = JpegScaling.Scaled(height, num, denom);
                bool gray = colorspace == TurboJpegNative.ColorspaceGray;
                int channels = gray ? 1 : 3;
                var pixels = new byte[(long)scaledWidth * scaledHeight * channels];
                fixed (byte* destination = pixels)
                {
                    int status = TurboJpegNative.Decompress2(handle, jpeg, (nuint)data.Length, destination, scaledWidth,
                        scaledWidth * channels, scaledHeight, gray ? TurboJpegNative.PixelFormatGray : TurboJpegNative.PixelFormatRgb,
                        TurboJpegNative.FlagStopOnWarning | TurboJpegNative.FlagLimitScans);
                    if (status != 0)
                    {
                        string kind = TurboJpegNative.GetErrorCode(handle) == TurboJpegNative.ErrorWarning ? "is damaged" : "cannot be decoded";
                        throw new ImageFormatException(source, $"JPEG data {kind}: {ErrorText(handle)}");
                    }
                }
                return new DecodedImage(scaledWidth, scaledHeight, channels, pixels);
            }
        }
        finally
        {
            TurboJpegNative.Destroy(handle);
        }
    }

    private static nint CreateHandle()
    {
        nint handle;
        try
        {
            handle = TurboJpegNative.InitDecompress();
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            throw new InvalidOperationException(
                $"JPEG decoding needs libjpeg-turbo's {TurboJpegNative.Library}, which could not be loaded; on Debian or Ubuntu: apt-get install libturbojpeg0.", e);
        }
        if (handle == 0) throw new InvalidOperationException("TurboJPEG could not create a decompressor: " + ErrorText(0));
        return handle;
    }

    private static string ErrorText(nint handle) => Marshal.PtrToStringUTF8(TurboJpegNative.GetErrorStr2(handle)) ?? "unknown error";

    private static (int Num, int Denom)[] ReadScalingFactors()
    {
        // Only read from Decode, after CreateHandle has loaded the library.
        nint table = TurboJpegNative.GetScalingFactors(out int count);
        if (table == 0 || count <= 0) return [(1, 1)];
        var factors = new (int, int)[count];
        for (int i = 0; i < count; i++)
        {
            var factor = Marshal.PtrToStructure<TurboJpegNative.ScalingFactor>(table + i * Marshal.SizeOf<TurboJpegNative.ScalingFactor>());
            factors[i] = (factor.Num, factor.Denom);
        }
        return factors;
    }
}
