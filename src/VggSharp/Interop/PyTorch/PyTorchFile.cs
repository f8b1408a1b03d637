using System.Buffers.Binary;
using System.IO.Hashing;
using System.Numerics;
using Microsoft.Win32.SafeHandles;
using VggSharp.Interop.Pickle;
using VggSharp.Models;

namespace VggSharp.Interop.PyTorch;

/// <summary>
/// A PyTorch state_dict file as torch.save writes it, in either format: the zip archive of PyTorch 1.6 and later
/// (data.pkl and one record per storage, with CRC-32s that are checked) or the legacy format before it (five pickles,
/// then the storages' bytes in the order the last pickle lists, which is not the order tensors appear in; torchvision's
/// published VGG weights are such files). The pickle is read by <see cref="PickleReader"/> with the allow-list of
/// <see cref="TorchPickleHost"/>, so nothing in the file is executed. A checkpoint dict holding the state_dict under
/// "state_dict", "model_state_dict" or "model" is accepted (a Lightning .ckpt holds it under "state_dict"); the prefixes
/// wrappers add to the keys are removed by <see cref="WeightsFile.Open"/> (<see cref="StateDicts.StateDictLayouts"/>).
/// </summary>
public sealed class PyTorchFile : IWeightsSource
{
    /// <summary>The first pickle of a legacy file holds this number.</summary>
    private static readonly BigInteger LegacyMagic = BigInteger.Parse("119547037146038801333356");
    private static readonly byte[] LegacyMagicBytes = LegacyMagic.ToByteArray();
    private const long LegacyProtocolVersion = 1001;
    private static readonly string[] NestedStateDictKeys = ["state_dict", "model_state_dict", "model"];

    private readonly SafeFileHandle _file;
    private readonly Dictionary<string, (WeightsTensor Info, TorchTensor Tensor)> _tensors;

    private PyTorchFile(string path, SafeFileHandle file, string formatName, List<(string Key, TorchTensor Tensor)> tensors)
    {
        Path = path;
        _file = file;
        FormatName = formatName;
        _tensors = tensors.ToDictionary(
            t => t.Key,
            t => (new WeightsTensor(t.Key, t.Tensor.DataType, t.Tensor.Shape), t.Tensor),
            StringComparer.Ordinal);
        Tensors = [.. tensors.Select(t => _tensors[t.Key].Info)];
        LoadedDataLength = tensors.Select(t => t.Tensor.View.Storage).Distinct()
            .Sum(s => s.ElementCount * WeightsTensor.LoadedElementSize(s.Type.DataType));
    }

    /// <inheritdoc />
    public string Path { get; }

    /// <summary>"PyTorch zip" or "PyTorch legacy".</summary>
    public string FormatName { get; }

    /// <inheritdoc />
    public IReadOnlyList<WeightsTensor> Tensors { get; }

    /// <summary>Empty: PyTorch files carry no metadata.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; } = new Dictionary<string, string>();

    /// <summary>torchvision's: the keys are torchvision's, and so are the weights' expectations.</summary>
    public Preprocessing? Preprocessing => Models.Preprocessing.Torchvision;

    /// <inheritdoc />
    public long LoadedDataLength { get; }

    /// <summary>Null: a state_dict has only keys and shapes, from which its model is inferred.</summary>
    public VggOptions? DescribeModel() => null;

    /// <summary>The options as given: a state_dict says nothing more of its model than its tensors' shapes, which loading checks.</summary>
    public VggOptions Match(VggOptions options) => options;

    /// <summary>
    /// Whether <paramref name="header"/> (the file's first 32 bytes or all of a shorter file) starts like a file torch.save
    /// writes: a zip archive, or a pickle holding the legacy format's magic number.
    /// </summary>
    public static bool Recognizes(ReadOnlySpan<byte> header) =>
        IsZip(header) || (header.Length > 0 && header[0] == 0x80 && header.IndexOf(LegacyMagicBytes) >= 0);

    /// <summary>Opens and validates a .pth file: its layout, its pickle and every tensor's bounds, before reading any weights.</summary>
    public static PyTorchFile Open(string path)
    {
        var file = RegularFile.OpenHandle(path);
        try
        {
            Span<byte> header = stackalloc byte[4];
            int read = RandomAccess.Read(file, header, 0);
            header = header[..read];
            if (IsZip(header)) return OpenZip(path, file);
            if (IsTar(file)) throw new WeightsFormatException(path, "a tar archive: PyTorch's format before 0.1.10 is not supported; load it in PyTorch and save it again");
            if (read >= 2 && header[0] == 0x80) return OpenLegacy(path, file);
            throw new WeightsFormatException(path, read < 2 ? "truncated: too short for a PyTorch file" : "not a PyTorch file: neither a zip archive nor a pickle");
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public WeightsTensor? Find(string name) => _tensors.TryGetValue(name, out var entry) ? entry.Info : null;

    /// <inheritdoc />
    public void ReadTensor(WeightsTensor tensor, Span<byte> destination)
    {
        if (!_tensors.TryGetValue(tensor.Name, out var entry) || !ReferenceEquals(entry.Info, tensor))
            throw new ArgumentException($"Tensor {tensor.Name} is not one of {Path}'s.", nameof(tensor));
        var t = entry.Tensor;
        var storage = t.View.Storage;
        int size = t.DataType.ElementSize();
        if (destination.Length != t.ElementCount * size)
            throw new ArgumentException($"Tensor {tensor.Name} has {t.ElementCount * size} bytes; the destination has {destination.Length}.", nameof(destination));
        if (t.ElementCount == 0) return;
        long start = storage.FileOffset!.Value;
        bool wholeStorage = t.StorageStart == 0 && t.ElementCount == storage.ElementCount;
        if (t.IsContiguous && (wholeStorage || storage.Crc32 is null))
        {
            ZipDirectory.ReadExactly(_file, destination, start + t.StorageStart * size, Path);
            if (wholeStorage) CheckCrc(storage, destination);
            return;
        }

        // A strided view, or part of a storage whose checksum covers all of it: read the storage, then gather.
        if (storage.ByteLength > Array.MaxLength)
            throw new WeightsFormatException(Path, $"{tensor.Name} views part of a {storage.ByteLength}-byte storage, too large to read for a strided copy");
        var bytes = new byte[storage.ByteLength];
        ZipDirectory.ReadExactly(_file, bytes, start, Path);
        CheckCrc(storage, bytes);
        Gather(t, bytes, destination, size);
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _file.Dispose();

    private static bool IsZip(ReadOnlySpan<byte> header) => header.Length >= 4 && BinaryPrimitives.ReadUInt32LittleEndian(header) == 0x04034b50;

    private static bool IsTar(SafeFileHandle file)
    {
        Span<byte> magic = stackalloc byte[5];
        return RandomAccess.Read(file, magic, 257) == 5 && magic.SequenceEqual("ustar"u8);
    }

    private void CheckCrc(TorchStorage storage, ReadOnlySpan<byte> bytes)
    {
        if (storage.Crc32 is uint expected && Crc32.HashToUInt32(bytes) != expected)
            throw new WeightsFormatException(Path, $"storage {storage.Key} is corrupt: its CRC-32 does not match the archive's");
    }

    private static void Gather(TorchTensor t, ReadOnlySpan<byte> storage, Span<byte> destination, int size)
    {
        var index = new long[t.Shape.Length];
        for (long element = 0; element < t.ElementCount; element++)
        {
            long source = t.StorageStart;
            for (int d = 0; d < index.Length; d++) source += index[d] * t.Stride[d];
            storage.Slice((int)(source * size), size).CopyTo(destination.Slice((int)(element * size), size));
            for (int d = index.Length - 1; d >= 0 && ++index[d] == t.Shape[d]; d--) index[d] = 0;
        }
    }

    private static PyTorchFile OpenZip(string path, SafeFileHandle file)
    {
        var directory = ZipDirectory.Read(file, path);
        var pickles = directory.Records.Where(r => r.Name.EndsWith("/data.pkl", StringComparison.Ordinal) && r.Name.Count(c => c == '/') == 1).ToList();
        if (pickles.Count != 1)
            throw new WeightsFormatException(path, pickles.Count == 0 ? "a zip archive without data.pkl: not a file from torch.save" : "a zip archive with several data.pkl records");
        string prefix = pickles[0].Name[..^"data.pkl".Length];
        if (directory.Find(prefix + "constants.pkl") is not null || directory.Records.Any(r => r.Name.StartsWith(prefix + "code/", StringComparison.Ordinal)))
            throw new WeightsFormatException(path, "a TorchScript archive (torch.jit.save), which holds code; save the model's state_dict with torch.save instead");
        if (directory.Find(prefix + "byteorder") is { } byteOrder)
        {
            var order = ReadRecord(file, byteOrder, 16, path, "byteorder");
            if (!order.AsSpan().SequenceEqual("little"u8)) throw new WeightsFormatException(path, "the tensors are stored big-endian; only little-endian files are supported");
        }

        var limits = new PickleLimits();
        var pickle = ReadRecord(file, pickles[0], limits.MaxBytes, path, "data.pkl");
        if (Crc32.HashToUInt32(pickle) != pickles[0].Crc32) throw new WeightsFormatException(path, "data.pkl is corrupt: its CRC-32 does not match the archive's");

        var storages = new Dictionary<string, TorchStorage>(StringComparer.Ordinal);
        TorchStorageView Resolve(TorchStorageId id)
        {
            if (id.View is not null) throw new WeightsFormatException(path, $"storage {id.Key} is a view, which zip archives do not have");
            if (!storages.TryGetValue(id.Key, out var storage))
            {
                string name = $"{prefix}data/{id.Key}";
                var record = directory.Find(name) ?? throw new WeightsFormatException(path, $"storage {id.Key} has no record {name}");
                int size = id.Type.DataType.ElementSize();
                if (id.ElementCount > record.Length / size || id.ElementCount * size != record.Length)
                    throw new WeightsFormatException(path, $"storage {id.Key} holds {id.ElementCount} {id.Type} elements but its record has {record.Length} bytes");
                storage = new TorchStorage(id.Key, id.Type, id.ElementCount);
                storage.Locate(record.DataOffset, record.Crc32);
                storages.Add(id.Key, storage);
            }
            CheckSame(storage, id, path);
            return new TorchStorageView(storage, 0, storage.ElementCount);
        }

        var root = PickleReader.Read(PickleInput.FromBytes(pickle, path, pickles[0].DataOffset, limits.MaxBytes), new TorchPickleHost(path, Resolve), limits);
        return new PyTorchFile(path, file, "PyTorch zip", StateDict(root, path));
    }

    private static PyTorchFile OpenLegacy(string path, SafeFileHandle file)
    {
        var limits = new PickleLimits();
        var input = PickleInput.FromFile(file, 0, path, limits.MaxBytes);
        long length = RandomAccess.GetLength(file);
        var storages = new Dictionary<string, TorchStorage>(StringComparer.Ordinal);
        TorchStorageView Resolve(TorchStorageId id)
        {
            if (!storages.TryGetValue(id.Key, out var storage))
            {
                if (id.ElementCount > length / id.Type.DataType.ElementSize())
                    throw new WeightsFormatException(path, $"truncated: storage {id.Key} claims {id.ElementCount} {id.Type} elements, more than the {length}-byte file holds");
                storage = new TorchStorage(id.Key, id.Type, id.ElementCount);
                storages.Add(id.Key, storage);
            }
            CheckSame(storage, id, path);
            if (id.View is not { } view) return new TorchStorageView(storage, 0, storage.ElementCount);
            if (view.Offset > storage.ElementCount || view.Count > storage.ElementCount - view.Offset)
                throw new WeightsFormatException(path, $"view {view.Key} of {view.Count} elements at {view.Offset} lies outside storage {id.Key} of {storage.ElementCount}");
            return new TorchStorageView(storage, view.Offset, view.Count);
        }
        var host = new TorchPickleHost(path, Resolve);

        if (!(PickleReader.Read(input, host, limits) is BigInteger magic && magic == LegacyMagic))
            throw new WeightsFormatException(path, "not a PyTorch file: the first pickle is not torch.save's magic number");
        if (PickleReader.Read(input, host, limits) is not LegacyProtocolVersion)
            throw new WeightsFormatException(path, $"the legacy format's protocol version is not {LegacyProtocolVersion}");
        if (PickleReader.Read(input, host, limits) is not PickleDict systemInfo)
            throw new WeightsFormatException(path, "the legacy format's system information is not a dict");
        if (systemInfo.TryGetValue("little_endian", out var little) && little is false)
            throw new WeightsFormatException(path, "the file was written on a big-endian machine; only little-endian files are supported");
        var root = PickleReader.Read(input, host, limits);
        if (PickleReader.Read(input, host, limits) is not List<object?> keys || keys.Any(k => k is not string))
            throw new WeightsFormatException(path, "the legacy format's list of storage keys is malformed");

        // The storages follow in the order of that list, each as an int64 element count and the elements.
        long offset = input.FileOffset;
        Span<byte> count = stackalloc byte[sizeof(long)];
        foreach (string key in keys.Cast<string>())
        {
            if (!storages.TryGetValue(key, out var storage)) throw new WeightsFormatException(path, $"storage {key} is listed but no tensor uses it");
            if (storage.FileOffset is not null) throw new WeightsFormatException(path, $"storage {key} is listed twice");
            if (length - offset < sizeof(long)) throw new WeightsFormatException(path, $"truncated: the file ends before storage {key} at byte {offset}");
            ZipDirectory.ReadExactly(file, count, offset, path);
            long stored = BinaryPrimitives.ReadInt64LittleEndian(count);
            if (stored != storage.ElementCount)
                throw new WeightsFormatException(path, $"storage {key} at byte {offset} has {stored} elements but the pickle says {storage.ElementCount}");
            offset += sizeof(long);
            if (storage.ByteLength > length - offset)
                throw new WeightsFormatException(path, $"truncated: storage {key} needs {storage.ByteLength} bytes at {offset} but the file has {length - offset} left");
            storage.Locate(offset, crc32: null);
            offset += storage.ByteLength;
        }
        var missing = storages.Values.FirstOrDefault(s => s.FileOffset is null);
        if (missing is not null) throw new WeightsFormatException(path, $"storage {missing.Key} has no data in the file");
        return new PyTorchFile(path, file, "PyTorch legacy", StateDict(root, path));
    }

    private static void CheckSame(TorchStorage storage, TorchStorageId id, string path)
    {
        if (storage.Type != id.Type || storage.ElementCount != id.ElementCount)
            throw new WeightsFormatException(path, $"storage {id.Key} is both {storage.ElementCount} {storage.Type} and {id.ElementCount} {id.Type} elements");
    }

    private static byte[] ReadRecord(SafeFileHandle file, ZipRecord record, long limit, string path, string what)
    {
        if (record.Length > limit) throw new WeightsFormatException(path, $"{what} has {record.Length} bytes, more than the {limit}-byte limit");
        var bytes = new byte[record.Length];
        ZipDirectory.ReadExactly(file, bytes, record.DataOffset, path);
        return bytes;
    }

    /// <summary>The tensors of the state_dict the pickle holds, in its order.</summary>
    private static List<(string Key, TorchTensor Tensor)> StateDict(object? root, string path)
    {
        if (root is not PickleDict dict)
            throw new WeightsFormatException(path, $"the file holds {PickleReader.Describe(root)}, not a state_dict (a dict of tensors)");
        if (!IsStateDict(dict))
        {
            var nested = NestedStateDictKeys.Select(k => dict.TryGetValue(k, out var value) ? value as PickleDict : null).FirstOrDefault(d => d is not null && IsStateDict(d));
            dict = nested ?? throw new WeightsFormatException(path,
                $"the file holds a dict that is not a state_dict (its entries are not all tensors, and none of {string.Join(", ", NestedStateDictKeys)} is one); keys: "
                + string.Join(", ", dict.Entries.Take(8).Select(e => e.Key is string s ? s : PickleReader.Describe(e.Key))));
        }
        return [.. dict.Entries.Select(e => ((string)e.Key!, (TorchTensor)e.Value!))];
    }

    private static bool IsStateDict(PickleDict dict) => dict.Entries.All(e => e.Key is string && e.Value is TorchTensor);
}
