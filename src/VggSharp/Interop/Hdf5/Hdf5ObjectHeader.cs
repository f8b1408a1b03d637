namespace VggSharp.Interop.Hdf5;

/// <summary>
/// An object's header in HDF5's version 1 layout (what h5py writes by default, and so Keras's files): its messages,
/// gathered from the header and the continuation blocks it chains to, each block read once. The number of messages
/// and of blocks is capped, so a hostile header cannot make the reader loop or allocate without bound.
/// </summary>
internal sealed class Hdf5ObjectHeader
{
    private const int MaxMessages = 4096, MaxBlocks = 64, MessagePrefix = 8;

    private Hdf5ObjectHeader(List<Hdf5Message> messages) => Messages = messages;

    /// <summary>The messages, in the order the header lists them.</summary>
    public IReadOnlyList<Hdf5Message> Messages { get; }

    /// <summary>The first message of <paramref name="type"/>, or null.</summary>
    public Hdf5Message? Find(int type) => Messages.FirstOrDefault(m => m.Type == type);

    /// <summary>Reads the object header at <paramref name="address"/>; <paramref name="what"/> names the object in messages.</summary>
    public static Hdf5ObjectHeader Read(Hdf5Input input, ulong address, string what)
    {
        long position = input.Position(address, $"the object header of {what}");
        var prefix = input.Read(position, 16, $"the object header of {what}");
        if (prefix.AsSpan(0, 4).SequenceEqual("OHDR"u8))
            throw new InvalidDataException($"{what} has a version 2 object header (HDF5 1.8's newer layout); only the version 1 headers h5py writes by default are read");
        if (prefix[0] != 1) throw new InvalidDataException($"the object header of {what} has version {prefix[0]}, not 1");
        int at = 2;
        int declared = (int)Hdf5Input.Count(prefix, ref at, 2);
        at = 8;
        long size = (long)Hdf5Input.Count(prefix, ref at, 4);
        if (declared > MaxMessages) throw new InvalidDataException($"the object header of {what} lists {declared} messages, more than the {MaxMessages} this reader accepts");

        var messages = new List<Hdf5Message>();
        var blocks = new Queue<(long Position, long Size)>();
        var seen = new HashSet<long>();
        blocks.Enqueue((position + 16, size));
        while (blocks.TryDequeue(out var block))
        {
            if (!seen.Add(block.Position) || seen.Count > MaxBlocks)
                throw new InvalidDataException($"the object header of {what} chains {(seen.Count > MaxBlocks ? "too many" : "the same")} continuation blocks");
            input.Check(block.Position, block.Size, $"the object header of {what}");
            long end = block.Position + block.Size;
            for (long p = block.Position; end - p >= MessagePrefix && messages.Count < declared;)
            {
                var head = input.Read(p, MessagePrefix, $"a message of {what}");
                int h = 0;
                int type = (int)Hdf5Input.Count(head, ref h, 2), length = (int)Hdf5Input.Count(head, ref h, 2), flags = head[4];
                p += MessagePrefix;
                if (length > end - p) throw new InvalidDataException($"a message of {what} claims {length} bytes, more than its header block has left");
                var data = input.Read(p, length, $"a message of {what}");
                p += length;
                messages.Add(new Hdf5Message(type, flags, data));
                if (type == Hdf5Message.Continuation)
                {
                    int c = 0;
                    ulong next = input.Offset(data, ref c);
                    long nextSize = (long)Math.Min(input.LengthField(data, ref c), (ulong)long.MaxValue);
                    blocks.Enqueue((input.Position(next, $"a continuation of {what}'s header"), nextSize));
                }
            }
        }
        return new Hdf5ObjectHeader(messages);
    }
}
