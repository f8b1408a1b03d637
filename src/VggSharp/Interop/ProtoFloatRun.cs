namespace VggSharp.Interop;

/// <summary>
/// <paramref name="Count"/> float values of a repeated float field in a file, the first at <paramref name="Offset"/>
/// and each <paramref name="Stride"/> bytes after the last: 4 for packed data (or a bytes field of little-endian
/// floats), 5 for unpacked data (each value behind its one-byte tag).
/// </summary>
internal readonly record struct ProtoFloatRun(long Offset, int Count, int Stride)
{
    /// <summary>The stride of packed little-endian floats.</summary>
    public const int Packed = sizeof(float);

    /// <summary>The stride of unpacked floats of a field numbered 1 to 15, whose tag takes one byte.</summary>
    public const int Unpacked = 1 + sizeof(float);
}
