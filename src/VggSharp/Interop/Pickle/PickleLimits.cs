namespace VggSharp.Interop.Pickle;

/// <summary>
/// Caps on what one pickle may make a <see cref="PickleReader"/> hold, so that a hostile file costs little memory:
/// a state_dict of VGG-19 needs a few hundred memo entries and stack items and a nesting depth of three.
/// </summary>
internal sealed record PickleLimits
{
    /// <summary>The largest pickle read, in bytes: 64 MB, far beyond any state_dict's.</summary>
    public int MaxBytes { get; init; } = 64 << 20;

    /// <summary>The most items on the stack at once.</summary>
    public int MaxStackItems { get; init; } = 100_000;

    /// <summary>The most open MARKs at once, which bounds the nesting of tuples, lists and dicts built from marks.</summary>
    public int MaxMarks { get; init; } = 1_000;

    /// <summary>The most memo entries.</summary>
    public int MaxMemoEntries { get; init; } = 1_000_000;

    /// <summary>The longest module or name line of a GLOBAL opcode.</summary>
    public int MaxGlobalLineBytes { get; init; } = 1_000;
}
