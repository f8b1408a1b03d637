using System.Text;

namespace VggSharp.Interop.Hdf5;

/// <summary>An attribute of an object (attribute message versions 1 to 3): its name, datatype, dimensions and value's bytes.</summary>
/// <param name="Name">The attribute's name.</param>
/// <param name="Type">Its datatype.</param>
/// <param name="Dimensions">Its dimensions (empty for a scalar).</param>
/// <param name="Value">The value's bytes: every element, in order, within the message.</param>
internal sealed record Hdf5Attribute(string Name, Hdf5DataType Type, long[] Dimensions, byte[] Value)
{
    /// <summary>Parses an attribute message.</summary>
    public static Hdf5Attribute Parse(Hdf5Input input, ReadOnlySpan<byte> data, string owner)
    {
        string what = $"an attribute of {owner}";
        if (data.Length < 8) throw new InvalidDataException($"{what} is truncated");
        int version = data[0], at = 2;
        if (version is not (1 or 2 or 3)) throw new InvalidDataException($"{what} has version {version}");
        int nameSize = (int)Hdf5Input.Count(data, ref at, 2), typeSize = (int)Hdf5Input.Count(data, ref at, 2), spaceSize = (int)Hdf5Input.Count(data, ref at, 2);
        if (version == 3) at++; // the name's character set
        // Version 1 pads each part to 8 bytes.
        int Padded(int size) => version == 1 ? (size + 7) & ~7 : size;
        if (nameSize > data.Length - at) throw new InvalidDataException($"{what} is truncated in its name");
        string name = Encoding.UTF8.GetString(data.Slice(at, nameSize)).TrimEnd('\0');
        at += Padded(nameSize);
        if (at > data.Length || typeSize > data.Length - at) throw new InvalidDataException($"attribute {name} of {owner} is truncated in its datatype");
        var type = Hdf5DataType.Parse(data.Slice(at, typeSize), $"attribute {name} of {owner}");
        at += Padded(typeSize);
        if (at > data.Length || spaceSize > data.Length - at) throw new InvalidDataException($"attribute {name} of {owner} is truncated in its dataspace");
        var dimensions = Hdf5Dataspace.Parse(input, data.Slice(at, spaceSize), $"attribute {name} of {owner}");
        at += Padded(spaceSize);
        long count = Hdf5Dataspace.Count(dimensions);
        if (at > data.Length || count > (data.Length - at) / type.Size)
            throw new InvalidDataException($"attribute {name} of {owner} claims {count} elements of {type.Size} bytes, more than its message holds");
        return new Hdf5Attribute(name, type, dimensions, data.Slice(at, (int)count * type.Size).ToArray());
    }

    /// <summary>The value as strings, when it is an array of fixed-length strings (NUL padding removed); an empty array of any type is no strings.</summary>
    public IReadOnlyList<string>? Strings()
    {
        if (Dimensions.Length > 1) return null;
        if (Value.Length == 0) return [];
        if (Type.Class != Hdf5DataType.String) return null;
        var strings = new string[Value.Length / Type.Size];
        for (int i = 0; i < strings.Length; i++)
        {
            var bytes = Value.AsSpan(i * Type.Size, Type.Size);
            int end = bytes.IndexOf((byte)0);
            strings[i] = Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]).TrimEnd(' ');
        }
        return strings;
    }
}
