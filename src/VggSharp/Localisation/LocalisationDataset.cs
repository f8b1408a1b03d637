using VggSharp.Data;

namespace VggSharp.Localisation;

/// <summary>
/// Images with box annotations: an image data set whose files (an ImageNet-layout folder, see
/// <see cref="ImageFolderDataset"/>) each have a PASCAL VOC XML file of the same name beside them (<c>n01440764_18.JPEG</c>
/// and <c>n01440764_18.xml</c>), whose objects are named by the image's class. <see cref="Load"/> reads the annotation
/// too, so an image whose annotation is missing, malformed or hostile is a bad image: reported (naming the XML file)
/// and skipped by the loader and the evaluator like an undecodable one.
/// </summary>
public sealed class LocalisationDataset : IImageDataset
{
    private readonly IImageDataset _images;

    /// <summary>Annotates <paramref name="images"/>, whose <see cref="IImageDataset.Describe"/> must be each image's path.</summary>
    public LocalisationDataset(IImageDataset images) => _images = images;

    /// <summary>
    /// The training and validation sets of a folder in ImageNet's layout (see <see cref="DataSource"/>) with their
    /// annotations; <paramref name="spec"/> must be such a folder.
    /// </summary>
    public static (LocalisationDataset Train, LocalisationDataset Validation) Open(string spec)
    {
        if (!Directory.Exists(spec)) throw new DirectoryNotFoundException($"Localisation data must be a folder with train/ and val/ and a .xml annotation beside each image; '{spec}' is not one.");
        var (train, validation) = DataSource.Open(spec);
        return (new LocalisationDataset(train), new LocalisationDataset(validation));
    }

    /// <summary>The file extension of the annotations.</summary>
    public const string AnnotationExtension = ".xml";

    /// <inheritdoc />
    public int Count => _images.Count;

    /// <inheritdoc />
    public IReadOnlyList<string> ClassNames => _images.ClassNames;

    /// <inheritdoc />
    public int LabelOf(int index) => _images.LabelOf(index);

    /// <inheritdoc />
    public string Describe(int index) => _images.Describe(index);

    /// <summary>The annotation file of image <paramref name="index"/>.</summary>
    public string AnnotationPath(int index) => Path.ChangeExtension(_images.Describe(index), AnnotationExtension);

    /// <summary>Decodes image <paramref name="index"/> and checks its annotation against it; either being bad throws <see cref="ImageFormatException"/>.</summary>
    public DecodedImage Load(int index, int? shortSideHint = null)
    {
        var image = _images.Load(index, shortSideHint);
        BoxesOf(index, image);
        return image;
    }

    /// <summary>
    /// The boxes of image <paramref name="index"/>'s class, in the pixels of <paramref name="image"/> (which may have
    /// been decoded at a reduced size: the boxes are scaled to it).
    /// </summary>
    public IReadOnlyList<BoundingBox> BoxesOf(int index, DecodedImage image)
    {
        string path = AnnotationPath(index);
        if (!File.Exists(path)) throw new ImageFormatException(path, "annotation is missing: every image needs a PASCAL VOC .xml file beside it");
        var annotation = VocAnnotationReader.ReadFile(path);
        string className = ClassNames[LabelOf(index)];
        var boxes = annotation.Objects.Where(o => o.Name == className).Select(o => o.Box).ToList();
        if (boxes.Count == 0) throw new ImageFormatException(path, $"annotation has no object of the image's class \"{className}\"");
        // A JPEG decoded at a reduced size keeps the aspect ratio the annotation's size has; anything else is another image.
        double sx = (double)image.Width / annotation.Width, sy = (double)image.Height / annotation.Height;
        if (Math.Abs(sx - sy) > 2.0 / Math.Min(annotation.Width, annotation.Height) + 1e-9 || sx > 1 + 1e-9)
            throw new ImageFormatException(path, $"annotation is for a {annotation.Width}x{annotation.Height} image; {_images.Describe(index)} is {image.Width}x{image.Height}");
        return sx == 1 && sy == 1 ? boxes : boxes.Select(b => b.Scaled(sx, sy)).ToList();
    }

    /// <summary>The box a regressor learns for image <paramref name="index"/>: the largest of its class (ILSVRC images may have several).</summary>
    public BoundingBox TrainingBox(int index, DecodedImage image) => BoxesOf(index, image).MaxBy(b => b.Area);
}
