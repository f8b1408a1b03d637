using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using VggSharp.Models;

namespace VggSharp.Interop;

/// <summary>
/// An open safetensors file: the header is read and validated against the file's length on opening, before anything
/// is allocated by its size; tensor data is then read on demand straight into the caller's memory, so a large file
/// never passes through one big array.
/// </summary>
public sealed class SafetensorsReader : IWeightsSource
{
    private const int LengthPrefixBytes = 8;
    private readonly SafeFileHandle _file;
    private readonly long _dataStart;

    private SafetensorsReader(string path, SafeFileHandle file, long dataStart, SafetensorsHeader header)
    {
        Path = path;
        _file = file;
        _dataStart = dataStart;
        Header = header;
    }

    /// <summary>The file's path.</summary>
    public string Path { get; }

    /// <summary>The validated header.</summary>
    public SafetensorsHeader Header { get; }

    /// <summary>"safetensors".</summary>
    public string FormatName => "safetensors";

    /// <inheritdoc />
    public IReadOnlyList<WeightsTensor> Tensors => Header.Tensors;

    /// <inheritdoc />
    public IReadOnlyDictionary<string, string> Metadata => Header.Metadata;

    /// <summary>Null: a safetensors file says what it expects in its metadata, if at all.</summary>
    public Preprocessing? Preprocessing => null;

    /// <summary>The tensors' bytes as float32 and int64; the header's validation guarantees they do not overlap.</summary>
    public long LoadedDataLength => Header.Tensors.Sum(t => t.ElementCount * WeightsTensor.LoadedElementSize(t.DataType));

    /// <summary>The model a VggSharp file's metadata describes, or null for a file without it (a state_dict).</summary>
    public VggOptions? DescribeModel() => ModelMetadata.IsPresent(Metadata) ? ModelMetadata.ToOptions(Metadata, Path) : null;

    /// <summary>A VggSharp file must be for the configuration of <paramref name="options"/>; the rest is checked by the tensors' shapes.</summary>
    public VggOptions Match(VggOptions options)
    {
        WeightsFile.CheckConfiguration(Path, ModelMetadata.ConfigurationName(Metadata), VggConfiguration.Parse(options.Configuration).Name);
        return options;
    }

    /// <inheritdoc />
    public WeightsTensor? Find(string name) => Header.Find(name);

    /// <summary>
    /// Opens <paramref name="path"/> and validates its header, and, when the file carries a checksum
    /// (<see cref="SafetensorsChecksum"/>), its data and metadata against it; a malformed or corrupt file gives
    /// <see cref="WeightsFormatException"/>.
    /// </summary>
    public static SafetensorsReader Open(string path) => Open(path, path);

    /// <summary>Opens <paramref name="file"/>, named <paramref name="path"/> in errors (a temporary file being verified before it replaces <paramref name="path"/>).</summary>
    internal static SafetensorsReader Open(string file, string path)
    {
        var handle = RegularFile.OpenHandle(file);
        try
        {
            var reader = Open(path, handle);
            SafetensorsChecksum.Verify(handle, reader._dataStart, reader.Header.DataLength, reader.Header.Metadata, path);
            return reader;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static SafetensorsReader Open(string path, SafeFileHandle file)
    {
        long length = RandomAccess.GetLength(file);
        if (length < LengthPrefixBytes)
            throw new WeightsFormatException(path, $"truncated: the file has {length} bytes, fewer than the {LengthPrefixBytes}-byte header length");
        Span<byte> prefix = stackalloc byte[LengthPrefixBytes];
        ReadExactly(file, prefix, 0, path, "the header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        long remaining = length - LengthPrefixBytes;
        if (headerLength > (ulong)remaining)
            throw new WeightsFormatException(path, $"truncated: header says {headerLength} bytes but only {remaining} remain");
        if (headerLength > SafetensorsHeader.MaxHeaderBytes)
            throw new WeightsFormatException(path, $"the header length {headerLength} exceeds the limit of {SafetensorsHeader.MaxHeaderBytes} bytes");
        var headerBytes = new byte[headerLength];
        ReadExactly(file, headerBytes, LengthPrefixBytes, path, "the header");
        long dataStart = LengthPrefixBytes + (long)headerLength;
        var header = SafetensorsHeader.Parse(headerBytes, length - dataStart, path);
        return new SafetensorsReader(path, file, dataStart, header);
    }

    /// <summary>Reads <paramref name="tensor"/>'s bytes (one of <see cref="Header"/>'s tensors) into <paramref name="destination"/>, which must be exactly its size.</summary>
    public void ReadTensor(SafetensorsTensorInfo tensor, Span<byte> destination)
    {
        if (!ReferenceEquals(Header.Find(tensor.Name), tensor))
            throw new ArgumentException($"Tensor {tensor.Name} is not one of {Path}'s.", nameof(tensor));
        if (destination.Length != tensor.ByteLength)
            throw new ArgumentException($"Tensor {tensor.Name} has {tensor.ByteLength} bytes; the destination has {destination.Length}.", nameof(destination));
        ReadExactly(_file, destination, _dataStart + tensor.Begin, Path, $"tensor {tensor.Name}");
    }

    /// <inheritdoc />
    public void ReadTensor(WeightsTensor tensor, Span<byte> destination) =>
        ReadTensor(tensor as SafetensorsTensorInfo ?? throw new ArgumentException($"Tensor {tensor.Name} is not one of {Path}'s.", nameof(tensor)), destination);

    /// <summary>Closes the file.</summary>
    public void Dispose() => _file.Dispose();

    /// <summary>Reads exactly <paramref name="destination"/>'s length at <paramref name="offset"/>; a short file is a <see cref="WeightsFormatException"/> naming <paramref name="what"/>.</summary>
    internal static void ReadExactly(SafeFileHandle file, Span<byte> destination, long offset, string path, string what)
    {
        while (!destination.IsEmpty)
        {
            int read = RandomAccess.Read(file, destination, offset);
            // Only possible when the file shrinks after it was opened and validated.
            if (read == 0) throw new WeightsFormatException(path, $"truncated: the file ended while reading {what}");
            destination = destination[read..];
            offset += read;
        }
    }
}
