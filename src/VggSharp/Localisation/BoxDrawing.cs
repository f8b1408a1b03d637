using VggSharp.Data;

namespace VggSharp.Localisation;

/// <summary>Draws boxes over an image for people to look at (<c>vggsharp predict --draw</c>).</summary>
public static class BoxDrawing
{
    /// <summary>Outline colours, in the order of the boxes given: red, green, blue, yellow, magenta, then again.</summary>
    private static readonly byte[][] Palette = [[230, 25, 75], [60, 180, 75], [0, 130, 200], [255, 225, 25], [240, 50, 230]];

    /// <summary>
    /// An RGB copy of <paramref name="image"/> (grayscale is replicated) with each of <paramref name="boxes"/> outlined,
    /// <paramref name="thickness"/> pixels wide, inside its edges, clipped to the image; the first box is drawn last, on top.
    /// </summary>
    public static DecodedImage Draw(DecodedImage image, IReadOnlyList<BoundingBox> boxes, int thickness = 2)
    {
        if (thickness < 1) throw new ArgumentOutOfRangeException(nameof(thickness), thickness, "The outline is at least one pixel wide.");
        int w = image.Width, h = image.Height;
        var rgb = new byte[w * h * 3];
        for (int p = 0; p < w * h; p++)
            for (int c = 0; c < 3; c++) rgb[p * 3 + c] = image.Pixels[p * image.Channels + (image.Channels == 1 ? 0 : c)];
        for (int b = boxes.Count - 1; b >= 0; b--)
        {
            var box = boxes[b].ClipTo(w, h);
            int left = (int)Math.Floor(box.Left), top = (int)Math.Floor(box.Top);
            int right = (int)Math.Ceiling(box.Right) - 1, bottom = (int)Math.Ceiling(box.Bottom) - 1;
            if (right < left || bottom < top) continue;
            var colour = Palette[b % Palette.Length];
            for (int y = top; y <= bottom; y++)
            {
                for (int x = left; x <= right; x++)
                {
                    bool edge = x - left < thickness || right - x < thickness || y - top < thickness || bottom - y < thickness;
                    if (edge) colour.CopyTo(rgb.AsSpan((y * w + x) * 3, 3));
                }
            }
        }
        return new DecodedImage(w, h, 3, rgb);
    }
}
