namespace VggSharp.Interop.PyTorch;

/// <summary>
/// One storage of a PyTorch file: a run of elements that tensors view. The pickle names it by key; where its bytes
/// are is known only when the file's layout has been read (the zip record data/KEY, or the legacy format's sequence
/// after the pickles), so <see cref="Locate"/> is called once, after checking the size against the file.
/// </summary>
internal sealed class TorchStorage(string key, TorchStorageType type, long elementCount)
{
    /// <summary>The key the pickle uses ("0" in zip files, an address in legacy ones).</summary>
    public string Key { get; } = key;

    /// <summary>The storage class.</summary>
    public TorchStorageType Type { get; } = type;

    /// <summary>The number of elements.</summary>
    public long ElementCount { get; } = elementCount;

    /// <summary>The bytes of data: <see cref="ElementCount"/> times the element size (checked when the storage is made).</summary>
    public long ByteLength => ElementCount * Type.DataType.ElementSize();

    /// <summary>The file offset of the first byte, once located.</summary>
    public long? FileOffset { get; private set; }

    /// <summary>The CRC-32 its bytes must have (zip records), or null when the format has none.</summary>
    public uint? Crc32 { get; private set; }

    /// <summary>Records where the bytes are; the caller has checked that they lie within the file.</summary>
    public void Locate(long fileOffset, uint? crc32)
    {
        FileOffset = fileOffset;
        Crc32 = crc32;
    }
}
