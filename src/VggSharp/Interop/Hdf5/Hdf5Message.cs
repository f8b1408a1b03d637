namespace VggSharp.Interop.Hdf5;

/// <summary>One message of an object header: its type (1 dataspace, 3 datatype, 8 layout, 12 attribute, ...), flags and bytes.</summary>
/// <param name="Type">The message type.</param>
/// <param name="Flags">The message flags; bit 1 marks a message stored elsewhere (shared).</param>
/// <param name="Data">The message's bytes, at most 65535.</param>
internal sealed record Hdf5Message(int Type, int Flags, byte[] Data)
{
    public const int Dataspace = 0x1, Datatype = 0x3, Link = 0x6, Layout = 0x8, FilterPipeline = 0xB, Attribute = 0xC, Continuation = 0x10, SymbolTable = 0x11;

    /// <summary>Whether the message is shared: its contents are elsewhere in the file, which this reader does not follow.</summary>
    public bool IsShared => (Flags & 0x2) != 0;
}
