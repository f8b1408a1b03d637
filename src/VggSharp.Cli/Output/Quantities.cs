using System.Globalization;

namespace VggSharp.Cli.Output;

/// <summary>Human-readable counts and sizes, in decimal units (1 G = 10^9, 1 MB = 10^6 bytes), as the paper counts.</summary>
internal static class Quantities
{
    /// <summary>An exact count with thousands separators ("138,357,544"), or "-" for zero so empty cells stand out less.</summary>
    public static string Count(long value) => value == 0 ? "-" : value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>A count in units of 10^9 ("15.47 G").</summary>
    public static string Giga(long value) => (value / 1e9).ToString("0.00", CultureInfo.InvariantCulture) + " G";

    /// <summary>Bytes in megabytes ("58.36 MB").</summary>
    public static string Megabytes(long bytes) => (bytes / 1e6).ToString("0.00", CultureInfo.InvariantCulture) + " MB";

    /// <summary>Bytes in the largest decimal unit that keeps the number at least 1 ("12.85 MB", "392.0 KB"), or "-" for zero.</summary>
    public static string Bytes(long bytes) => bytes switch
    {
        0 => "-",
        >= 1_000_000 => Megabytes(bytes),
        >= 1_000 => (bytes / 1e3).ToString("0.0", CultureInfo.InvariantCulture) + " KB",
        _ => bytes.ToString(CultureInfo.InvariantCulture) + " B",
    };

    /// <summary>A shape for one image, without the batch dimension ("64x224x224").</summary>
    public static string ImageShape(ReadOnlySpan<int> dimensionsWithBatch) =>
        string.Join('x', dimensionsWithBatch[1..].ToArray());
}
