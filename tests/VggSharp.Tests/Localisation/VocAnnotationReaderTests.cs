using System.Text;
using VggSharp.Data;
using VggSharp.Localisation;
using Xunit;

namespace VggSharp.Tests.Localisation;

public class VocAnnotationReaderTests
{
    private const string Valid = """
        <annotation>
          <folder>n01440764</folder>
          <filename>n01440764_18</filename>
          <size><width>500</width><height>375</height><depth>3</depth></size>
          <segmented>0</segmented>
          <object>
            <name>n01440764</name><pose>Unspecified</pose><truncated>0</truncated><difficult>0</difficult>
            <bndbox><xmin>60</xmin><ymin>21</ymin><xmax>500</xmax><ymax>375</ymax></bndbox>
          </object>
          <object>
            <name>person</name>
            <bndbox><xmin>1</xmin><ymin>1.5</ymin><xmax>10</xmax><ymax>20</ymax></bndbox>
          </object>
        </annotation>
        """;

    private static VocAnnotation Parse(string xml) => VocAnnotationReader.Parse(Encoding.UTF8.GetBytes(xml), "a.xml");

    private static string Refused(string xml)
    {
        var e = Assert.Throws<ImageFormatException>(() => Parse(xml));
        Assert.Equal("a.xml", e.Source);
        return e.Reason;
    }

    [Fact]
    public void AnIlsvrcStyleAnnotationIsRead()
    {
        var annotation = Parse(Valid);
        Assert.Equal((500, 375), (annotation.Width, annotation.Height));
        Assert.Equal(2, annotation.Objects.Count);
        Assert.Equal("n01440764", annotation.Objects[0].Name);
        Assert.Equal(new BoundingBox(59, 20, 500, 375), annotation.Objects[0].Box);
        Assert.Equal(new BoundingBox(0, 0.5, 10, 20), annotation.Objects[1].Box);
    }

    [Fact]
    public void WhatTheWriterWritesIsReadBack()
    {
        var annotation = new VocAnnotation(64, 48, [new AnnotatedObject("Bag", new BoundingBox(3, 4, 30, 40))]);
        var back = Parse(VocAnnotationWriter.Write("x.png", annotation));
        Assert.Equal(annotation.Width, back.Width);
        Assert.Equal(annotation.Objects, back.Objects);
    }

    [Fact]
    public void ADtdIsRefusedSoEntitiesCannotExpandOrReachOut()
    {
        const string laughs = """
            <?xml version="1.0"?>
            <!DOCTYPE annotation [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
            <annotation><size><width>&c;</width><height>1</height></size></annotation>
            """;
        Assert.Contains("DTD", Refused(laughs));
        const string external = """
            <?xml version="1.0"?>
            <!DOCTYPE annotation [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
            <annotation><object><name>&secret;</name></object></annotation>
            """;
        Assert.Contains("DTD", Refused(external));
    }

    [Theory]
    [InlineData("<annotation><size><width>5</width><height>5</height></size></annotation>", "no <object>")]
    [InlineData("<annotation><object><name>a</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox></object></annotation>", "no <size>")]
    [InlineData("<annotation><size><width>0</width><height>5</height></size></annotation>", "<width>")]
    [InlineData("<annotation><size><width>99999999999</width><height>5</height></size></annotation>", "<width>")]
    [InlineData("<annotation><size><width>5</width><height>5</height></size><object><name>a</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>9</xmax><ymax>2</ymax></bndbox></object></annotation>", "outside")]
    [InlineData("<annotation><size><width>5</width><height>5</height></size><object><name>a</name><bndbox><xmin>3</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox></object></annotation>", "invalid box")]
    [InlineData("<annotation><size><width>5</width><height>5</height></size><object><name>a</name><bndbox><xmin>NaN</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox></object></annotation>", "<xmin>")]
    [InlineData("<annotation><size><width>5</width><height>5</height></size><object><bndbox/></object></annotation>", "no <name>")]
    [InlineData("<annotation><size><width>5</width><height>5</height></size><object><name>a</name></object></annotation>", "no <bndbox>")]
    [InlineData("<picture/>", "root element")]
    [InlineData("", "not a valid")]
    [InlineData("<annotation><size>", "not a valid")]
    public void AMalformedAnnotationGetsOneClearError(string xml, string reason) => Assert.Contains(reason, Refused(xml));

    [Fact]
    public void AnOversizedFileIsRefusedBeforeItIsRead()
    {
        string path = Path.Combine(Path.GetTempPath(), "vggsharp-voc-" + Guid.NewGuid().ToString("N") + ".xml");
        try
        {
            using (var file = File.Create(path)) file.SetLength(VocAnnotationReader.MaxFileBytes + 1);
            var e = Assert.Throws<ImageFormatException>(() => VocAnnotationReader.ReadFile(path));
            Assert.Equal(path, e.Source);
            Assert.Contains("limit", e.Reason);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void EveryTruncationAndFlippedByteParsesOrGetsAnImageFormatError()
    {
        byte[] data = Encoding.UTF8.GetBytes(Valid);
        for (int length = 0; length < data.Length; length += 3) ParsesOrRefuses(data.AsSpan(0, length).ToArray());
        var random = new Random(11);
        for (int trial = 0; trial < 300; trial++)
        {
            var corrupt = (byte[])data.Clone();
            for (int k = 0; k < 3; k++) corrupt[random.Next(corrupt.Length)] = (byte)random.Next(256);
            ParsesOrRefuses(corrupt);
        }
    }

    private static void ParsesOrRefuses(byte[] data)
    {
        try
        {
            VocAnnotationReader.Parse(data, "f.xml");
        }
        catch (ImageFormatException e)
        {
            Assert.Equal("f.xml", e.Source);
        }
    }
}
