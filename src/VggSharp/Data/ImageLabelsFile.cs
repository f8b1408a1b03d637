using System.Globalization;
using VggSharp.Interop;

namespace VggSharp.Data;

/// <summary>
/// Parses a validation labels file: one "filename label" line per image, the label a class name or a class index;
/// blank lines and lines starting with # are ignored. Every problem names the file and line.
/// </summary>
internal static class ImageLabelsFile
{
    /// <summary>
    /// The images listed in <paramref name="labelsFile"/>, in its order, as paths in <paramref name="folder"/> with their
    /// labels. A label that is both a class name and a number means the class of that name.
    /// </summary>
    public static List<(string Path, int Label)> Parse(string labelsFile, string folder, IReadOnlyList<string> classNames)
    {
        var classIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < classNames.Count; i++) classIndex[classNames[i]] = i;
        var firstLine = new Dictionary<string, int>(StringComparer.Ordinal);
        var images = new List<(string, int)>();
        int lineNumber = 0;
        foreach (string rawLine in RegularFile.ReadLines(labelsFile))
        {
            lineNumber++;
            string line = rawLine.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            string where = $"{labelsFile}:{lineNumber}";
            string[] fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 2) throw new ImageFormatException(where, $"expected \"filename label\", got \"{line}\"");
            var (name, label) = (fields[0], fields[1]);

            if (name.Contains('/') || name.Contains('\\') || name is "." or "..")
                throw new ImageFormatException(where, $"\"{name}\" is not a plain file name in the image folder");
            if (!ImageFolderDataset.IsImageFileName(name))
                throw new ImageFormatException(where, $"\"{name}\" is not a .png, .jpg or .jpeg file");
            if (firstLine.TryGetValue(name, out int earlier))
                throw new ImageFormatException(where, $"\"{name}\" is already listed on line {earlier}");
            firstLine[name] = lineNumber;

            if (!classIndex.TryGetValue(label, out int index))
            {
                bool isNumber = int.TryParse(label, NumberStyles.None, CultureInfo.InvariantCulture, out index);
                if (!isNumber || index >= classNames.Count)
                    throw new ImageFormatException(where, $"\"{label}\" is neither one of the {classNames.Count} class names nor an index below {classNames.Count}");
            }
            string path = Path.Combine(folder, name);
            if (!File.Exists(path)) throw new ImageFormatException(where, $"image {path} does not exist");
            images.Add((path, index));
        }
        return images;
    }
}
