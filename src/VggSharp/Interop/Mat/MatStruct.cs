namespace VggSharp.Interop.Mat;

/// <summary>A struct array: for each element (column-major), its fields by name.</summary>
internal sealed record MatStruct(long[] Dimensions, IReadOnlyList<IReadOnlyDictionary<string, MatValue>> Elements) : MatValue(Dimensions)
{
    /// <summary>Field <paramref name="name"/> of a 1x1 struct, or null when the struct has no such field or is not 1x1.</summary>
    public MatValue? Field(string name) => Elements.Count == 1 && Elements[0].TryGetValue(name, out var value) ? value : null;
}
