using System.Runtime.InteropServices;

namespace VggSharp.Data;

/// <summary>
/// The parts of libjpeg-turbo's TurboJPEG C API (turbojpeg.h, version 2.x) that decoding needs. A handle must not be
/// used by two threads at once. C's unsigned long is 64 bits on the LP64 platforms this targets, hence nuint.
/// </summary>
internal static partial class TurboJpegNative
{
    /// <summary>The library's soname, as Debian's libturbojpeg0 package installs it.</summary>
    public const string Library = "libturbojpeg.so.0";

    /// <summary>TJPF_RGB: 3 bytes per pixel, R, G, B.</summary>
    public const int PixelFormatRgb = 0;

    /// <summary>TJPF_GRAY: 1 byte per pixel.</summary>
    public const int PixelFormatGray = 6;

    /// <summary>TJCS_GRAY: the JPEG has a single luminance component.</summary>
    public const int ColorspaceGray = 2;

    /// <summary>TJCS_CMYK.</summary>
    public const int ColorspaceCmyk = 3;

    /// <summary>TJCS_YCCK: CMYK stored as YCbCr plus K.</summary>
    public const int ColorspaceYcck = 4;

    /// <summary>TJFLAG_STOPONWARNING: stop at the first warning (such as premature end of data) instead of going on.</summary>
    public const int FlagStopOnWarning = 8192;

    /// <summary>TJFLAG_LIMITSCANS: refuse progressive JPEGs with more than 500 scans, a denial-of-service guard.</summary>
    public const int FlagLimitScans = 32768;

    /// <summary>TJERR_WARNING, as tjGetErrorCode reports a non-fatal problem.</summary>
    public const int ErrorWarning = 0;

    /// <summary>tjscalingfactor: a scaling ratio num/denom.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ScalingFactor
    {
        /// <summary>Numerator.</summary>
        public int Num;

        /// <summary>Denominator.</summary>
        public int Denom;
    }

    [LibraryImport(Library, EntryPoint = "tjInitDecompress")]
    public static partial nint InitDecompress();

    [LibraryImport(Library, EntryPoint = "tjDestroy")]
    public static partial int Destroy(nint handle);

    [LibraryImport(Library, EntryPoint = "tjDecompressHeader3")]
    public static unsafe partial int DecompressHeader3(nint handle, byte* jpeg, nuint jpegSize, out int width, out int height,
        out int subsampling, out int colorspace);

    [LibraryImport(Library, EntryPoint = "tjGetScalingFactors")]
    public static partial nint GetScalingFactors(out int count);

    [LibraryImport(Library, EntryPoint = "tjDecompress2")]
    public static unsafe partial int Decompress2(nint handle, byte* jpeg, nuint jpegSize, byte* destination, int width, int pitch,
        int height, int pixelFormat, int flags);

    [LibraryImport(Library, EntryPoint = "tjGetErrorStr2")]
    public static partial nint GetErrorStr2(nint handle);

    [LibraryImport(Library, EntryPoint = "tjGetErrorCode")]
    public static partial int GetErrorCode(nint handle);
}
