namespace VggSharp.Localisation;

/// <summary>
/// An image's box annotation as PASCAL VOC (and ILSVRC's localisation data) writes it: the image size it was made for
/// and its objects.
/// </summary>
/// <param name="Width">The image width the boxes refer to.</param>
/// <param name="Height">The image height the boxes refer to.</param>
/// <param name="Objects">The objects, in the file's order; at least one.</param>
public sealed record VocAnnotation(int Width, int Height, IReadOnlyList<AnnotatedObject> Objects);
