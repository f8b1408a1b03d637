using System.Text;

namespace VggSharp.Interop.Hdf5;

/// <summary>
/// A group in HDF5's original layout (a symbol table: a version 1 B-tree of symbol nodes naming children in a local
/// heap), as h5py writes by default: its attributes and its children by name. The tree's depth, its nodes and the
/// children are capped and each node is read once, so a hostile file cannot loop or allocate without bound.
/// </summary>
internal sealed class Hdf5Group
{
    private const int MaxChildren = 1 << 16, MaxDepth = 16, MaxNameBytes = 1024;
    private readonly Hdf5Input _input;
    private readonly Dictionary<string, ulong> _children;
    private readonly IReadOnlyList<Hdf5Message> _attributes;

    private Hdf5Group(Hdf5Input input, string path, Dictionary<string, ulong> children, IReadOnlyList<Hdf5Message> attributes)
    {
        _input = input;
        Path = path;
        _children = children;
        _attributes = attributes;
    }

    /// <summary>The group's path from the root ("/" for the root).</summary>
    public string Path { get; }

    /// <summary>The children's names.</summary>
    public IEnumerable<string> Names => _children.Keys;

    /// <summary>Reads the group whose object header is at <paramref name="address"/>.</summary>
    public static Hdf5Group Read(Hdf5Input input, ulong address, string path)
    {
        var header = Hdf5ObjectHeader.Read(input, address, $"group {path}");
        var attributes = header.Messages.Where(m => m.Type == Hdf5Message.Attribute).ToList();
        if (header.Find(Hdf5Message.SymbolTable) is not { } table)
        {
            if (header.Find(Hdf5Message.Link) is not null)
                throw new InvalidDataException($"group {path} stores its links in HDF5 1.8's newer layout; only the symbol tables h5py writes by default are read");
            throw new InvalidDataException($"{path} is not a group");
        }
        int at = 0;
        ulong tree = input.Offset(table.Data, ref at), heap = input.Offset(table.Data, ref at);
        var (segment, segmentSize) = LocalHeap(input, heap, path);
        var children = new Dictionary<string, ulong>(StringComparer.Ordinal);
        Walk(input, tree, 0, new HashSet<ulong>(), segment, segmentSize, children, path);
        return new Hdf5Group(input, path, children, attributes);
    }

    /// <summary>The attribute <paramref name="name"/>, or null.</summary>
    public Hdf5Attribute? Attribute(string name)
    {
        foreach (var message in _attributes)
        {
            var attribute = Hdf5Attribute.Parse(_input, message.Data, Path);
            if (attribute.Name == name) return attribute;
        }
        return null;
    }

    /// <summary>The group at <paramref name="path"/> below this one (names separated by '/'), or null when there is none.</summary>
    public Hdf5Group? Group(string path)
    {
        var group = this;
        foreach (string name in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!group._children.TryGetValue(name, out ulong address)) return null;
            group = Read(_input, address, Join(group.Path, name));
        }
        return group;
    }

    /// <summary>The dataset at <paramref name="path"/> below this group, or null when there is none.</summary>
    public Hdf5Dataset? Dataset(string path)
    {
        int slash = path.LastIndexOf('/');
        var parent = slash < 0 ? this : Group(path[..slash]);
        string name = path[(slash + 1)..];
        if (parent is null || !parent._children.TryGetValue(name, out ulong address)) return null;
        string full = Join(parent.Path, name);
        return Hdf5Dataset.Read(_input, Hdf5ObjectHeader.Read(_input, address, $"dataset {full}"), full);
    }

    private static string Join(string parent, string name) => parent == "/" ? "/" + name : parent + "/" + name;

    private static (long Position, long Size) LocalHeap(Hdf5Input input, ulong address, string path)
    {
        long position = input.Position(address, $"the local heap of group {path}");
        int size = 8 + 2 * input.LengthSize + input.OffsetSize;
        var heap = input.Read(position, size, $"the local heap of group {path}");
        if (!heap.AsSpan(0, 4).SequenceEqual("HEAP"u8)) throw new InvalidDataException($"the local heap of group {path} lacks its signature");
        int at = 8;
        ulong segmentSize = input.LengthField(heap, ref at);
        input.LengthField(heap, ref at); // the free list
        long segment = input.Position(input.Offset(heap, ref at), $"the local heap of group {path}");
        if (segmentSize > (ulong)(input.Length - segment)) throw new InvalidDataException($"truncated: the local heap of group {path} runs past the end of the file");
        return (segment, (long)segmentSize);
    }

    /// <summary>Adds the children the B-tree node at <paramref name="address"/> leads to.</summary>
    private static void Walk(Hdf5Input input, ulong address, int depth, HashSet<ulong> visited, long segment, long segmentSize, Dictionary<string, ulong> children, string path)
    {
        if (depth > MaxDepth || !visited.Add(address)) throw new InvalidDataException($"the B-tree of group {path} is {(depth > MaxDepth ? "too deep" : "cyclic")}");
        long position = input.Position(address, $"a B-tree node of group {path}");
        int fixedSize = 8 + 2 * input.OffsetSize;
        var head = input.Read(position, fixedSize, $"a B-tree node of group {path}");
        if (!head.AsSpan(0, 4).SequenceEqual("TREE"u8)) throw new InvalidDataException($"a B-tree node of group {path} lacks its signature");
        if (head[4] != 0) throw new InvalidDataException($"a B-tree node of group {path} has node type {head[4]}, not a group's");
        int level = head[5], at = 6;
        int entries = (int)Hdf5Input.Count(head, ref at, 2);
        int pair = input.LengthSize + input.OffsetSize;
        var body = input.Read(position + fixedSize, (long)entries * pair + input.LengthSize, $"a B-tree node of group {path}");
        at = 0;
        for (int e = 0; e < entries; e++)
        {
            input.LengthField(body, ref at); // the key: a heap offset
            ulong child = input.Offset(body, ref at);
            if (level > 0) Walk(input, child, depth + 1, visited, segment, segmentSize, children, path);
            else SymbolNode(input, child, visited, segment, segmentSize, children, path);
        }
    }

    private static void SymbolNode(Hdf5Input input, ulong address, HashSet<ulong> visited, long segment, long segmentSize, Dictionary<string, ulong> children, string path)
    {
        if (!visited.Add(address)) throw new InvalidDataException($"a symbol node of group {path} is listed twice");
        long position = input.Position(address, $"a symbol node of group {path}");
        var head = input.Read(position, 8, $"a symbol node of group {path}");
        if (!head.AsSpan(0, 4).SequenceEqual("SNOD"u8)) throw new InvalidDataException($"a symbol node of group {path} lacks its signature");
        int at = 6;
        int symbols = (int)Hdf5Input.Count(head, ref at, 2);
        int entrySize = 2 * input.OffsetSize + 24;
        var entries = input.Read(position + 8, (long)symbols * entrySize, $"a symbol node of group {path}");
        for (int s = 0; s < symbols; s++)
        {
            at = s * entrySize;
            ulong nameOffset = input.Offset(entries, ref at), header = input.Offset(entries, ref at);
            if (nameOffset >= (ulong)segmentSize) throw new InvalidDataException($"a child of group {path} has its name outside the group's heap");
            var name = input.Read(segment + (long)nameOffset, Math.Min(MaxNameBytes, segmentSize - (long)nameOffset), $"a name in group {path}");
            int end = Array.IndexOf(name, (byte)0);
            if (end < 0) throw new InvalidDataException($"a child's name in group {path} is not terminated within {MaxNameBytes} bytes");
            if (children.Count == MaxChildren) throw new InvalidDataException($"group {path} has more than {MaxChildren} children");
            children[Encoding.UTF8.GetString(name, 0, end)] = header;
        }
    }
}
