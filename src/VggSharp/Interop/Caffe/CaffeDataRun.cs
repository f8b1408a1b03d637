namespace VggSharp.Interop.Caffe;

/// <summary>
/// <paramref name="Count"/> float values of a blob in the file, the first at <paramref name="Offset"/> and each
/// <paramref name="Stride"/> bytes after the last: 4 for packed data, 5 for unpacked data (each value behind its
/// one-byte tag).
/// </summary>
internal readonly record struct CaffeDataRun(long Offset, int Count, int Stride)
{
    /// <summary>The stride of packed little-endian floats.</summary>
    public const int Packed = sizeof(float);

    /// <summary>The stride of unpacked floats of BlobProto.data: the tag (field 5, fixed32) takes one byte.</summary>
    public const int Unpacked = 1 + sizeof(float);
}
