using System.Security.Cryptography;
using System.Text.Json;
using VggSharp.Data;

namespace VggSharp.Tests.Data;

/// <summary>The image fixtures of tests/fixtures/make_image_fixtures.py and the pixels PIL decoded from them.</summary>
public static class ImageFixtures
{
    /// <summary>The fixture folder in the test output.</summary>
    public static string Root => Path.Combine(AppContext.BaseDirectory, "fixtures", "images");

    /// <summary>The path of a fixture, e.g. "synth/ct0_1bit_plain_37x23.png".</summary>
    public static string PathOf(string relative) => Path.Combine(Root, relative);

    /// <summary>The bytes of a fixture.</summary>
    public static byte[] Bytes(string relative) => File.ReadAllBytes(PathOf(relative));

    /// <summary>Every PNG fixture with PIL's result: width, height, channels and the SHA-256 of the HWC bytes.</summary>
    public static IReadOnlyDictionary<string, (int Width, int Height, int Channels, string Sha256)> ExpectedPngs { get; } = ReadExpected();

    /// <summary>The SHA-256 of an image's pixels, lower-case hex, as the fixture script writes it.</summary>
    public static string Sha256(DecodedImage image) => Convert.ToHexString(SHA256.HashData(image.Pixels)).ToLowerInvariant();

    private static Dictionary<string, (int, int, int, string)> ReadExpected()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(PathOf("expected.json")));
        return json.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => (
            p.Value.GetProperty("width").GetInt32(), p.Value.GetProperty("height").GetInt32(),
            p.Value.GetProperty("channels").GetInt32(), p.Value.GetProperty("sha256").GetString()!));
    }
}
