namespace VggSharp.Localisation;

/// <summary>One object of an annotation: its class name (PASCAL VOC's &lt;name&gt;, ILSVRC's synset) and its box.</summary>
/// <param name="Name">The class name as written.</param>
/// <param name="Box">The box, in the image's pixels.</param>
public sealed record AnnotatedObject(string Name, BoundingBox Box);
