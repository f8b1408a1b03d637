using System.Globalization;
using System.Xml.Linq;

namespace VggSharp.Localisation;

/// <summary>Writes PASCAL VOC XML annotations that <see cref="VocAnnotationReader"/> (and VOC's own tools) read.</summary>
public static class VocAnnotationWriter
{
    /// <summary>
    /// The annotation of the image <paramref name="fileName"/>: its size and objects, with boxes as VOC's 1-based
    /// inclusive corners (a box [0, 10) becomes xmin 1, xmax 10), rounded to whole pixels.
    /// </summary>
    public static string Write(string fileName, VocAnnotation annotation)
    {
        static string Number(double value) => Math.Round(value, MidpointRounding.AwayFromZero).ToString(CultureInfo.InvariantCulture);
        var root = new XElement("annotation",
            new XElement("filename", fileName),
            new XElement("size", new XElement("width", annotation.Width), new XElement("height", annotation.Height)),
            annotation.Objects.Select(o => new XElement("object",
                new XElement("name", o.Name),
                new XElement("bndbox",
                    new XElement("xmin", Number(o.Box.Left + 1)), new XElement("ymin", Number(o.Box.Top + 1)),
                    new XElement("xmax", Number(o.Box.Right)), new XElement("ymax", Number(o.Box.Bottom))))));
        return root.ToString() + "\n";
    }
}
