using VggSharp.Data;
using VggSharp.Data.Transforms;
using VggSharp.Randomness;

namespace VggSharp.Localisation;

/// <summary>
/// A constructed localisation benchmark, for machines without ILSVRC: each canvas holds one Fashion-MNIST item,
/// rescaled to a random size and put at a random place, over clutter (pieces of other items, as in the cluttered and
/// translated MNIST of the attention literature), with the item's tight box. Written in ImageNet's layout (train/ and
/// val/, a folder per class) as grayscale PNGs with PASCAL VOC XML beside them, so <see cref="LocalisationDataset"/>
/// reads it as it reads real data. Training canvases come from Fashion-MNIST's training set, validation canvases from
/// its test set. Every choice is a function of the seed and the image's place: the same options write the same bytes.
/// </summary>
public static class ClutteredSet
{
    /// <summary>Pixels at least this bright count as the item when its tight box is measured.</summary>
    private const byte ItemThreshold = 32;

    /// <summary>Writes the data set; returns the images written. <paramref name="progress"/> gets (written, in all).</summary>
    public static int Write(ClutteredSetOptions options, Action<int, int>? progress = null, CancellationToken cancellation = default)
    {
        options.Validate();
        if (Directory.Exists(options.OutputDirectory) && Directory.EnumerateFileSystemEntries(options.OutputDirectory).Any())
            throw new IOException($"{options.OutputDirectory} is not empty; choose a new folder for the constructed data set.");
        var train = FashionMnist.Load(options.Source, train: true);
        var test = FashionMnist.Load(options.Source, train: false);
        int classes = train.ClassNames.Count, total = classes * (options.TrainPerClass + options.ValidationPerClass), written = 0;
        foreach (var (split, source, perClass, stream) in new[] { ("train", train, options.TrainPerClass, 1UL), ("val", test, options.ValidationPerClass, 2UL) })
        {
            var byClass = Enumerable.Range(0, classes).Select(c => Enumerable.Range(0, source.Count).Where(i => source.LabelOf(i) == c).ToArray()).ToArray();
            for (int c = 0; c < classes; c++)
            {
                string name = FolderName(source.ClassNames[c]), folder = Path.Combine(options.OutputDirectory, split, name);
                Directory.CreateDirectory(folder);
                if (byClass[c].Length == 0) throw new InvalidOperationException($"Fashion-MNIST's {split} set has no item of class {name}.");
                for (int k = 0; k < perClass; k++)
                {
                    cancellation.ThrowIfCancellationRequested();
                    ulong key = CounterRandom.Key(options.Seed, stream, (ulong)c, (ulong)k);
                    var (canvas, box) = Compose(options, source, byClass[c], key);
                    string file = $"{name}_{k:D5}";
                    File.WriteAllBytes(Path.Combine(folder, file + ".png"), PngEncoder.Encode(canvas));
                    var annotation = new VocAnnotation(canvas.Width, canvas.Height, [new AnnotatedObject(name, box)]);
                    File.WriteAllText(Path.Combine(folder, file + LocalisationDataset.AnnotationExtension), VocAnnotationWriter.Write(file + ".png", annotation));
                    written++;
                    progress?.Invoke(written, total);
                }
            }
        }
        return written;
    }

    /// <summary>A class name as a folder name and VOC object name: path separators and spaces become '-'.</summary>
    public static string FolderName(string className) =>
        string.Concat(className.Select(ch => ch is '/' or '\\' or ' ' || Path.GetInvalidFileNameChars().Contains(ch) ? '-' : ch));

    /// <summary>One canvas: clutter from random items of <paramref name="source"/>, then the item (a random one of <paramref name="items"/>) on top, and its box.</summary>
    internal static (DecodedImage Canvas, BoundingBox Box) Compose(ClutteredSetOptions options, IImageDataset source, int[] items, ulong key)
    {
        ulong counter = 0;
        int Uniform(int count) => (int)Math.BigMul(CounterRandom.Bits(key, counter++), (ulong)count, out _);
        int size = options.CanvasSize;
        var pixels = new byte[size * size];
        for (int p = 0; p < options.ClutterPieces; p++)
        {
            var other = source.Load(Uniform(source.Count));
            int piece = options.ClutterSize, sx = Uniform(other.Width - piece + 1), sy = Uniform(other.Height - piece + 1);
            int x = Uniform(size - piece + 1), y = Uniform(size - piece + 1);
            for (int r = 0; r < piece; r++)
                for (int col = 0; col < piece; col++)
                    Paste(pixels, size, x + col, y + r, other.Pixels[(sy + r) * other.Width + sx + col]);
        }
        var item = source.Load(items[Uniform(items.Length)]);
        int side = options.MinObjectSize + Uniform(options.MaxObjectSize - options.MinObjectSize + 1);
        var scaled = Resampler.Resize(item, side, side, ResampleFilter.Bilinear);
        int left = Uniform(size - side + 1), top = Uniform(size - side + 1);
        int minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1;
        for (int r = 0; r < side; r++)
        {
            for (int col = 0; col < side; col++)
            {
                byte value = scaled.Pixels[r * side + col];
                Paste(pixels, size, left + col, top + r, value);
                if (value < ItemThreshold) continue;
                (minX, minY, maxX, maxY) = (Math.Min(minX, col), Math.Min(minY, r), Math.Max(maxX, col), Math.Max(maxY, r));
            }
        }
        // An item with nothing above the threshold (none in Fashion-MNIST) is boxed by its whole square.
        var box = maxX < 0 ? new BoundingBox(left, top, left + side, top + side) : new BoundingBox(left + minX, top + minY, left + maxX + 1, top + maxY + 1);
        return (new DecodedImage(size, size, 1, pixels), box);
    }

    /// <summary>Draws by the brighter of the two, as cluttered MNIST did, so neither hides the other's strokes.</summary>
    private static void Paste(byte[] pixels, int size, int x, int y, byte value) =>
        pixels[y * size + x] = Math.Max(pixels[y * size + x], value);
}
