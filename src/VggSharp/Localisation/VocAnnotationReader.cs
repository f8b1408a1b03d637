using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using VggSharp.Data;

namespace VggSharp.Localisation;

/// <summary>
/// Reads PASCAL VOC XML annotations (&lt;annotation&gt;&lt;size&gt;&lt;width/&gt;&lt;height/&gt;&lt;/size&gt;&lt;object&gt;&lt;name/&gt;
/// &lt;bndbox&gt;&lt;xmin/&gt;&lt;ymin/&gt;&lt;xmax/&gt;&lt;ymax/&gt;&lt;/bndbox&gt;&lt;/object&gt;...&lt;/annotation&gt;) as files that may be
/// hostile: the file's size is checked before it is read, DTDs are refused (so no entity expansion and no external
/// entity is ever fetched), nothing is resolved, and the document's characters and objects are capped. Every problem
/// throws one <see cref="ImageFormatException"/> naming the file, which the data loader reports and skips like a bad image.
/// </summary>
public static class VocAnnotationReader
{
    /// <summary>The largest annotation file read: far above any real one (a few kilobytes).</summary>
    public const long MaxFileBytes = 1 << 20;

    /// <summary>The most objects one annotation may list.</summary>
    public const int MaxObjects = 10_000;

    /// <summary>Reads the annotation file at <paramref name="path"/>.</summary>
    public static VocAnnotation ReadFile(string path)
    {
        byte[] data;
        try
        {
            using var file = File.OpenRead(path);
            if (file.Length > MaxFileBytes) throw new ImageFormatException(path, $"annotation of {file.Length} bytes exceeds the {MaxFileBytes}-byte limit");
            data = new byte[file.Length];
            file.ReadExactly(data);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageFormatException(path, "annotation cannot be read: " + e.Message, e);
        }
        return Parse(data, path);
    }

    /// <summary>Parses an annotation held in memory; <paramref name="source"/> names it in errors.</summary>
    public static VocAnnotation Parse(ReadOnlySpan<byte> data, string source)
    {
        if (data.Length > MaxFileBytes) throw new ImageFormatException(source, $"annotation of {data.Length} bytes exceeds the {MaxFileBytes}-byte limit");
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, MaxCharactersInDocument = MaxFileBytes, MaxCharactersFromEntities = 0,
            IgnoreComments = true, IgnoreProcessingInstructions = true, IgnoreWhitespace = true,
        };
        try
        {
            using var stream = new MemoryStream(data.ToArray(), writable: false);
            using var reader = XmlReader.Create(stream, settings);
            return ReadAnnotation(reader, source);
        }
        catch (XmlException e)
        {
            throw new ImageFormatException(source, "not a valid PASCAL VOC annotation: " + e.Message, e);
        }
        catch (InvalidOperationException e)
        {
            throw new ImageFormatException(source, "not a valid PASCAL VOC annotation: " + e.Message, e);
        }
    }

    private static VocAnnotation ReadAnnotation(XmlReader reader, string source)
    {
        // The reader refuses DTDs and caps the characters, so the tree is small; it is checked element by element.
        var root = XDocument.Load(reader).Root!;
        if (root.Name.LocalName != "annotation")
            throw new ImageFormatException(source, $"not a PASCAL VOC annotation: the root element is <{root.Name.LocalName}>, not <annotation>");
        var size = root.Element("size") ?? throw new ImageFormatException(source, "annotation has no <size>");
        int width = Dimension(size, "width", source), height = Dimension(size, "height", source);
        var objects = new List<AnnotatedObject>();
        foreach (var element in root.Elements("object"))
        {
            if (objects.Count == MaxObjects) throw new ImageFormatException(source, $"annotation lists more than {MaxObjects} objects");
            var o = ReadObject(element, source);
            // VOC's corners are 1-based and inclusive: a box may reach the image's last column, not beyond it.
            if (o.Box.Right > width || o.Box.Bottom > height)
                throw new ImageFormatException(source, $"the box {o.Box} of \"{o.Name}\" lies outside the {width}x{height} image");
            objects.Add(o);
        }
        if (objects.Count == 0) throw new ImageFormatException(source, "annotation has no <object>");
        return new VocAnnotation(width, height, objects);
    }

    private static AnnotatedObject ReadObject(XElement element, string source)
    {
        string name = element.Element("name")?.Value.Trim() ?? "";
        if (name.Length == 0) throw new ImageFormatException(source, "an <object> has no <name>");
        var box = element.Element("bndbox") ?? throw new ImageFormatException(source, $"the <object> \"{Shorten(name)}\" has no <bndbox>");
        double xMin = Coordinate(box, "xmin", source), yMin = Coordinate(box, "ymin", source);
        double xMax = Coordinate(box, "xmax", source), yMax = Coordinate(box, "ymax", source);
        if (xMin < 1 || yMin < 1 || xMax < xMin || yMax < yMin)
            throw new ImageFormatException(source,
                FormattableString.Invariant($"the <object> \"{Shorten(name)}\" has an invalid box: xmin {xMin}, ymin {yMin}, xmax {xMax}, ymax {yMax}"));
        return new AnnotatedObject(name, BoundingBox.FromVoc(xMin, yMin, xMax, yMax));
    }

    private static int Dimension(XElement size, string field, string source)
    {
        string text = size.Element(field)?.Value ?? throw new ImageFormatException(source, $"annotation's <size> has no <{field}>");
        if (!int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || ImageLimits.CheckSize(value, 1) is not null)
            throw new ImageFormatException(source, $"annotation's <{field}> \"{Shorten(text)}\" is not a size between 1 and {ImageLimits.MaxSide}");
        return value;
    }

    private static double Coordinate(XElement box, string field, string source)
    {
        string text = box.Element(field)?.Value ?? throw new ImageFormatException(source, $"a <bndbox> has no <{field}>");
        // ILSVRC writes integers, some VOC tools decimals; both are accepted, nothing beyond an image's largest side.
        if (!double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value)
            || value < 0 || value > ImageLimits.MaxSide + 1)
            throw new ImageFormatException(source, $"<{field}> \"{Shorten(text)}\" is not a pixel coordinate");
        return value;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
