namespace VggSharp.Localisation;

/// <summary>
/// An axis-aligned box in continuous pixel coordinates: the left and top edges and the right and bottom edges, so a
/// box covering pixel columns 0 to 9 is [0, 10). PASCAL VOC's 1-based inclusive corners (xmin..xmax) are
/// [xmin - 1, xmax) here (<see cref="FromVoc"/>).
/// </summary>
/// <param name="Left">The left edge.</param>
/// <param name="Top">The top edge.</param>
/// <param name="Right">The right edge, at least <paramref name="Left"/> for a non-empty box.</param>
/// <param name="Bottom">The bottom edge, at least <paramref name="Top"/> for a non-empty box.</param>
public readonly record struct BoundingBox(double Left, double Top, double Right, double Bottom)
{
    /// <summary>The width; 0 for an empty box.</summary>
    public double Width => Math.Max(0, Right - Left);

    /// <summary>The height; 0 for an empty box.</summary>
    public double Height => Math.Max(0, Bottom - Top);

    /// <summary>The area; 0 for an empty box.</summary>
    public double Area => Width * Height;

    /// <summary>The horizontal centre.</summary>
    public double CentreX => (Left + Right) / 2;

    /// <summary>The vertical centre.</summary>
    public double CentreY => (Top + Bottom) / 2;

    /// <summary>The box of PASCAL VOC's 1-based inclusive corners.</summary>
    public static BoundingBox FromVoc(double xMin, double yMin, double xMax, double yMax) => new(xMin - 1, yMin - 1, xMax, yMax);

    /// <summary>The box with centre (<paramref name="centreX"/>, <paramref name="centreY"/>) and the given size (the paper's parametrisation).</summary>
    public static BoundingBox FromCentre(double centreX, double centreY, double width, double height) =>
        new(centreX - width / 2, centreY - height / 2, centreX + width / 2, centreY + height / 2);

    /// <summary>The intersection over union with <paramref name="other"/>: 0 when either is empty or they do not overlap.</summary>
    public double IntersectionOverUnion(BoundingBox other)
    {
        double w = Math.Min(Right, other.Right) - Math.Max(Left, other.Left);
        double h = Math.Min(Bottom, other.Bottom) - Math.Max(Top, other.Top);
        if (w <= 0 || h <= 0) return 0;
        double intersection = w * h, union = Area + other.Area - intersection;
        return union > 0 ? intersection / union : 0;
    }

    /// <summary>The part of the box inside [0, <paramref name="width"/>) x [0, <paramref name="height"/>); may be empty.</summary>
    public BoundingBox ClipTo(double width, double height) =>
        new(Math.Clamp(Left, 0, width), Math.Clamp(Top, 0, height), Math.Clamp(Right, 0, width), Math.Clamp(Bottom, 0, height));

    /// <summary>The box scaled by (<paramref name="scaleX"/>, <paramref name="scaleY"/>) about the origin, as an image resized by those factors moves it.</summary>
    public BoundingBox Scaled(double scaleX, double scaleY) => new(Left * scaleX, Top * scaleY, Right * scaleX, Bottom * scaleY);

    /// <summary>The box moved by (<paramref name="dx"/>, <paramref name="dy"/>).</summary>
    public BoundingBox Translated(double dx, double dy) => new(Left + dx, Top + dy, Right + dx, Bottom + dy);

    /// <summary>The box in an image of <paramref name="imageWidth"/> columns mirrored left to right.</summary>
    public BoundingBox FlippedHorizontally(double imageWidth) => new(imageWidth - Right, Top, imageWidth - Left, Bottom);

    /// <inheritdoc />
    public override string ToString() => FormattableString.Invariant($"[{Left:0.#}, {Top:0.#}, {Right:0.#}, {Bottom:0.#}]");
}
