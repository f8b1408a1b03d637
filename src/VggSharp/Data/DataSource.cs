namespace VggSharp.Data;

/// <summary>
/// Resolves what a user names with <c>--data</c> into training and validation sets: "fashion-mnist" (Debian's
/// dataset-fashion-mnist; its test set is the validation set), "fashion-mnist:DIR" (the IDX files in DIR), or a folder
/// in the ImageNet layout: <c>train/</c> with a subfolder per class, and <c>val/</c> either with a subfolder per class
/// or flat with a labels file (<c>val/labels.txt</c>, lines "filename label").
/// </summary>
public static class DataSource
{
    /// <summary>The name of the built-in data set.</summary>
    public const string FashionMnistName = "fashion-mnist";

    /// <summary>The labels file a flat validation folder carries.</summary>
    public const string LabelsFileName = "labels.txt";

    /// <summary>Opens the training and validation sets named by <paramref name="spec"/>; errors name what is missing.</summary>
    public static (IImageDataset Train, IImageDataset Validation) Open(string spec)
    {
        var train = OpenTrain(spec);
        return (train, OpenValidation(spec, train.ClassNames));
    }

    /// <summary>Opens only the validation (test) set, with the given class list when the source has no list of its own.</summary>
    public static IImageDataset OpenValidation(string spec, IReadOnlyList<string>? classNames = null)
    {
        if (IsFashionMnist(spec, out string directory)) return FashionMnist.Load(directory, train: false);
        string val = Path.Combine(RequireFolder(spec), "val");
        if (!Directory.Exists(val)) throw new DirectoryNotFoundException($"{spec} has no val/ folder.");
        string labels = Path.Combine(val, LabelsFileName);
        if (File.Exists(labels))
        {
            var classes = classNames ?? ClassNamesOf(Path.Combine(spec, "train"));
            return ImageFolderDataset.FromLabelsFile(val, labels, classes);
        }
        return classNames is null ? new ImageFolderDataset(val) : new ImageFolderDataset(val, classNames);
    }

    /// <summary>Opens only the training set.</summary>
    public static IImageDataset OpenTrain(string spec)
    {
        if (IsFashionMnist(spec, out string directory)) return FashionMnist.Load(directory, train: true);
        string train = Path.Combine(RequireFolder(spec), "train");
        if (!Directory.Exists(train)) throw new DirectoryNotFoundException($"{spec} has no train/ folder with a subfolder per class.");
        return new ImageFolderDataset(train);
    }

    private static IReadOnlyList<string> ClassNamesOf(string trainFolder)
    {
        if (!Directory.Exists(trainFolder))
            throw new DirectoryNotFoundException($"A flat val/ folder needs the class list of {trainFolder}, which does not exist.");
        return new ImageFolderDataset(trainFolder).ClassNames;
    }

    private static bool IsFashionMnist(string spec, out string directory)
    {
        directory = FashionMnist.DebianDirectory;
        if (spec.Equals(FashionMnistName, StringComparison.OrdinalIgnoreCase)) return true;
        if (!spec.StartsWith(FashionMnistName + ":", StringComparison.OrdinalIgnoreCase)) return false;
        directory = spec[(FashionMnistName.Length + 1)..];
        return true;
    }

    private static string RequireFolder(string spec) =>
        Directory.Exists(spec) ? spec : throw new DirectoryNotFoundException($"No data set '{spec}': give {FashionMnistName} or a folder with train/ and val/.");
}
