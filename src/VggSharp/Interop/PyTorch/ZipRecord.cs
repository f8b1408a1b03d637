namespace VggSharp.Interop.PyTorch;

/// <summary>One stored (uncompressed) file of a zip archive, located and bounds-checked.</summary>
/// <param name="Name">The name in the archive ("vgg16/data/0").</param>
/// <param name="DataOffset">The file offset of the first data byte.</param>
/// <param name="Length">The number of data bytes.</param>
/// <param name="Crc32">The CRC-32 the central directory records for the data.</param>
internal sealed record ZipRecord(string Name, long DataOffset, long Length, uint Crc32);
