namespace VggSharp.Data;

/// <summary>
/// Zalando's Fashion-MNIST (Xiao, Rasul and Vollgraf 2017): 28x28 grayscale clothing images in ten classes, 60000 for
/// training and 10000 for testing, in MNIST's IDX files. Debian's dataset-fashion-mnist installs them in
/// <see cref="DebianDirectory"/>.
/// </summary>
public static class FashionMnist
{
    /// <summary>Where Debian's dataset-fashion-mnist package puts the files.</summary>
    public const string DebianDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The class names, indexed by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>
    /// Loads the training set (train-*-ubyte) or the test set (t10k-*-ubyte) from <paramref name="directory"/>, taking
    /// each file gzip-compressed (.gz) if present, else uncompressed.
    /// </summary>
    public static IdxDataset Load(string directory, bool train)
    {
        string prefix = train ? "train" : "t10k";
        return new IdxDataset(Find(directory, $"{prefix}-images-idx3-ubyte"), Find(directory, $"{prefix}-labels-idx1-ubyte"), ClassNames);
    }

    private static string Find(string directory, string name)
    {
        string compressed = Path.Combine(directory, name + ".gz"), raw = Path.Combine(directory, name);
        if (File.Exists(compressed)) return compressed;
        if (File.Exists(raw)) return raw;
        throw new FileNotFoundException($"Fashion-MNIST file {name}(.gz) is not in {directory} (Debian: apt-get install dataset-fashion-mnist).", raw);
    }
}
