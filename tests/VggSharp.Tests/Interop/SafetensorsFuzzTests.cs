using VggSharp.Interop;
using Xunit;

namespace VggSharp.Tests.Interop;

/// <summary>Every damaged variant of a small valid file either loads or gives <see cref="WeightsFormatException"/>, quickly.</summary>
public class SafetensorsFuzzTests
{
    [Fact]
    public void EveryTruncationIsRefused()
    {
        using var directory = new TemporaryDirectory();
        byte[] valid = SmallModels.TinyFileBytes(directory);
        string path = directory.File("truncated.safetensors");
        Assert.InRange(valid.Length, 2_000, 10_000);

        for (int length = 0; length < valid.Length; length++)
        {
            File.WriteAllBytes(path, valid.AsSpan(0, length).ToArray());
            var e = Record.Exception(() => VggModelFile.Load(path).Dispose());
            Assert.True(e is WeightsFormatException, $"length {length}: {e?.GetType().Name ?? "loaded"} {e?.Message}");
        }
    }

    [Fact]
    public void ChangedBytesLoadOrAreRefused()
    {
        using var directory = new TemporaryDirectory();
        byte[] valid = SmallModels.TinyFileBytes(directory);
        int headerEnd = 8 + (int)BitConverter.ToInt64(valid, 0);
        string path = directory.File("changed.safetensors");
        var random = new Random(20240601);
        int loaded = 0, refused = 0;

        for (int trial = 0; trial < 3000; trial++)
        {
            byte[] bytes = (byte[])valid.Clone();
            int changes = 1 + random.Next(3);
            for (int c = 0; c < changes; c++)
            {
                // Mostly the length prefix and header, where the parsing is; sometimes the data.
                int position = random.Next(4) == 0 ? random.Next(bytes.Length) : random.Next(headerEnd);
                bytes[position] ^= (byte)(1 + random.Next(255));
            }
            File.WriteAllBytes(path, bytes);
            try
            {
                VggModelFile.Load(path).Dispose();
                loaded++;
            }
            catch (WeightsFormatException)
            {
                refused++;
            }
            catch (Exception e)
            {
                Assert.Fail($"trial {trial}: {e.GetType().Name}: {e.Message}");
            }
        }
        Assert.True(loaded > 0 && refused > 0, $"{loaded} loaded, {refused} refused");
    }
}
