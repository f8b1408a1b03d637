namespace VggSharp.Interop.Hdf5;

/// <summary>
/// A dataset stored contiguously or compactly (as h5py stores uncompressed arrays): its datatype, dimensions and where
/// its bytes are, checked to lie within the file. Chunked and filtered (compressed) datasets are refused.
/// </summary>
/// <param name="Name">The dataset's path, for messages.</param>
/// <param name="Type">The datatype.</param>
/// <param name="Dimensions">The dimensions (empty for a scalar).</param>
/// <param name="Position">The file position of the first byte of a contiguous dataset.</param>
/// <param name="Compact">A compact dataset's bytes (kept in its header), or null.</param>
internal sealed record Hdf5Dataset(string Name, Hdf5DataType Type, long[] Dimensions, long Position, byte[]? Compact)
{
    /// <summary>The number of elements.</summary>
    public long ElementCount => Hdf5Dataspace.Count(Dimensions);

    /// <summary>Reads the dataset whose header is <paramref name="header"/>.</summary>
    public static Hdf5Dataset Read(Hdf5Input input, Hdf5ObjectHeader header, string name)
    {
        Hdf5Message Required(int type, string part) => header.Find(type) is { IsShared: false } message ? message
            : throw new InvalidDataException($"dataset {name} has no {part}{(header.Find(type) is null ? "" : " of its own (a shared one)")}");
        var type = Hdf5DataType.Parse(Required(Hdf5Message.Datatype, "datatype").Data, $"dataset {name}");
        var dimensions = Hdf5Dataspace.Parse(input, Required(Hdf5Message.Dataspace, "dataspace").Data, $"dataset {name}");
        if (header.Find(Hdf5Message.FilterPipeline) is not null)
            throw new InvalidDataException($"dataset {name} is filtered (compressed); only uncompressed datasets, as Keras writes them, are read");
        var layout = Required(Hdf5Message.Layout, "data layout").Data;
        long count = Hdf5Dataspace.Count(dimensions);
        if (count > long.MaxValue / type.Size) throw new InvalidDataException($"dataset {name} has more bytes than a file can hold");
        long bytes = count * type.Size;
        if (layout.Length < 2 || layout[0] is not (3 or 4))
            throw new InvalidDataException($"dataset {name} has a data layout message of version {(layout.Length > 0 ? layout[0] : 0)}; versions 3 and 4 are read");
        int at = 2;
        switch (layout[1])
        {
            case 0: // compact: the bytes follow in the message
                int size = (int)Hdf5Input.Count(layout, ref at, 2);
                if (size != bytes || size > layout.Length - at) throw new InvalidDataException($"dataset {name} is compact with {size} bytes where {bytes} are needed");
                return new Hdf5Dataset(name, type, dimensions, 0, layout.AsSpan(at, size).ToArray());
            case 1: // contiguous
                ulong address = input.Offset(layout, ref at);
                ulong stored = input.LengthField(layout, ref at);
                if (stored != (ulong)bytes) throw new InvalidDataException($"dataset {name} stores {stored} bytes where its {count} elements need {bytes}");
                if (bytes == 0) return new Hdf5Dataset(name, type, dimensions, 0, []);
                long position = input.Position(address, $"the data of {name}");
                input.Check(position, bytes, $"the data of {name}");
                return new Hdf5Dataset(name, type, dimensions, position, null);
            default:
                throw new InvalidDataException($"dataset {name} is {(layout[1] == 2 ? "chunked" : $"stored in layout class {layout[1]}")}; only contiguous and compact datasets are read");
        }
    }

    /// <summary>Reads <paramref name="destination"/>.Length bytes of the data from byte <paramref name="offset"/> on.</summary>
    public void ReadBytes(Hdf5Input input, long offset, Span<byte> destination)
    {
        if (offset < 0 || destination.Length > ElementCount * Type.Size - offset) throw new ArgumentOutOfRangeException(nameof(offset));
        if (Compact is not null) Compact.AsSpan((int)offset, destination.Length).CopyTo(destination);
        else input.ReadInto(Position + offset, destination, $"the data of {Name}");
    }
}
