using System.Text;
using System.Text.RegularExpressions;

namespace VggSharp.Interop;

/// <summary>
/// A text file of class names, one per line in label order, for models whose weights file has none (PyTorch, Keras,
/// Caffe): a plain list, or Caffe's synset_words.txt ("n01440764 tench, Tinca tinca"), whose leading WordNet id is
/// dropped. Blank lines at the end are ignored; the names must be exactly the model's classes.
/// </summary>
public static partial class ClassNamesFile
{
    private const long MaxBytes = 16 << 20;

    /// <summary>The names in <paramref name="path"/> for a model of <paramref name="classes"/> classes; any problem is a <see cref="WeightsFormatException"/>.</summary>
    public static IReadOnlyList<string> Read(string path, int classes)
    {
        using (var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            long length = RandomAccess.GetLength(file);
            if (length > MaxBytes) throw new WeightsFormatException(path, $"{length} bytes, more than a list of class names has (at most {MaxBytes})");
        }
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(File.ReadAllBytes(path));
        }
        catch (DecoderFallbackException e)
        {
            throw new WeightsFormatException(path, "not UTF-8 text: not a list of class names", e);
        }
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        while (lines.Count > 0 && lines[^1].Trim().Length == 0) lines.RemoveAt(lines.Count - 1);
        if (lines.Count != classes)
            throw new WeightsFormatException(path, $"{lines.Count} class names (one a line) but the model has {classes} classes");
        int blank = lines.FindIndex(l => l.Trim().Length == 0);
        if (blank >= 0) throw new WeightsFormatException(path, $"line {blank + 1} is blank; every class needs a name");
        return [.. lines.Select(l => SynsetId().Replace(l, "").Trim())];
    }

    /// <summary>A WordNet id and the space after it at the start of a line, as in Caffe's synset_words.txt.</summary>
    [GeneratedRegex(@"^n\d{8}\s+")]
    private static partial Regex SynsetId();
}
