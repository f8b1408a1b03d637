namespace VggSharp.Data;

/// <summary>
/// PNG and JPEG files on disk, in ImageNet's layout: one subfolder per class, or, for a validation set, a flat folder
/// and a labels file. Names are sorted ordinally (byte order, whatever the locale), so the same tree always gives the
/// same classes and indices; hidden files and folders (names starting with '.') are skipped. Images are read and
/// decoded on each <see cref="Load"/>.
/// </summary>
public sealed class ImageFolderDataset : IImageDataset
{
    private readonly string[] _paths;
    private readonly int[] _labels;

    /// <summary>A training set: the classes are the subfolders of <paramref name="root"/>.</summary>
    public ImageFolderDataset(string root) : this(root, ClassNamesOf(root))
    {
    }

    /// <summary>
    /// A set in the same layout whose classes are given, normally the training set's, so that labels agree: every
    /// subfolder must be one of them (a class may have no folder).
    /// </summary>
    public ImageFolderDataset(string root, IReadOnlyList<string> classNames)
    {
        ClassNames = CheckClassNames(classNames);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < ClassNames.Count; i++) index[ClassNames[i]] = i;
        var paths = new List<string>();
        var labels = new List<int>();
        foreach (string folder in ClassFolders(root))
        {
            string name = Path.GetFileName(folder);
            if (!index.TryGetValue(name, out int label))
                throw new ImageFormatException(folder, $"class \"{name}\" is not among the {ClassNames.Count} given classes");
            foreach (string file in ImageFiles(folder))
            {
                paths.Add(file);
                labels.Add(label);
            }
        }
        if (paths.Count == 0) throw new ImageFormatException(root, "holds no .png, .jpg or .jpeg images in class subfolders");
        (_paths, _labels) = (paths.ToArray(), labels.ToArray());
    }

    private ImageFolderDataset(IReadOnlyList<string> classNames, List<(string Path, int Label)> images)
    {
        ClassNames = classNames;
        _paths = images.Select(i => i.Path).ToArray();
        _labels = images.Select(i => i.Label).ToArray();
    }

    /// <summary>The file extensions taken as images, compared case-insensitively.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".png", ".jpg", ".jpeg"];

    /// <summary>
    /// A flat validation folder with a labels file of "filename label" lines (label: a class name or an index into
    /// <paramref name="classNames"/>; blank lines and # comments ignored), in the file's order. Malformed lines,
    /// unknown classes, duplicates and missing files throw <see cref="ImageFormatException"/> naming the line.
    /// </summary>
    public static ImageFolderDataset FromLabelsFile(string folder, string labelsFile, IReadOnlyList<string> classNames)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"Image folder {folder} does not exist.");
        var checkedNames = CheckClassNames(classNames);
        var images = ImageLabelsFile.Parse(labelsFile, folder, checkedNames);
        if (images.Count == 0) throw new ImageFormatException(labelsFile, "lists no images");
        return new ImageFolderDataset(checkedNames, images);
    }

    /// <inheritdoc/>
    public int Count => _paths.Length;

    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames { get; }

    /// <inheritdoc/>
    public int LabelOf(int index) => _labels[index];

    /// <summary>The image file's path.</summary>
    public string Describe(int index) => _paths[index];

    /// <inheritdoc/>
    public DecodedImage Load(int index, int? shortSideHint = null) => ImageDecoder.DecodeFile(_paths[index], shortSideHint);

    /// <summary>Whether a file name has one of the <see cref="Extensions"/> and is not hidden.</summary>
    public static bool IsImageFileName(string name) =>
        !name.StartsWith('.') && Extensions.Any(e => name.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    private static IEnumerable<string> ClassFolders(string root)
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"Image folder {root} does not exist.");
        return Directory.EnumerateDirectories(root).Where(d => !Path.GetFileName(d).StartsWith('.')).Order(StringComparer.Ordinal);
    }

    private static string[] ClassNamesOf(string root)
    {
        string[] names = ClassFolders(root).Select(folder => Path.GetFileName(folder)).ToArray();
        return names.Length > 0 ? names : throw new ImageFormatException(root, "has no class subfolders");
    }

    private static IEnumerable<string> ImageFiles(string folder) =>
        Directory.EnumerateFiles(folder).Where(f => IsImageFileName(Path.GetFileName(f))).Order(StringComparer.Ordinal);

    private static string[] CheckClassNames(IReadOnlyList<string> classNames)
    {
        if (classNames.Count == 0) throw new ArgumentException("At least one class name is needed.", nameof(classNames));
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in classNames)
        {
            if (!distinct.Add(name)) throw new ArgumentException($"Class name \"{name}\" appears twice.", nameof(classNames));
        }
        return classNames.ToArray();
    }
}
