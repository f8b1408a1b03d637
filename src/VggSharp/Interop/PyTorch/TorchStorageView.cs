namespace VggSharp.Interop.PyTorch;

/// <summary>
/// What a persistent id hands to a tensor: a storage, or (legacy files only) a window of <paramref name="Count"/>
/// elements of it starting at <paramref name="Offset"/>. Bounds are checked when the view is made.
/// </summary>
internal sealed record TorchStorageView(TorchStorage Storage, long Offset, long Count)
{
    /// <inheritdoc />
    public override string ToString() => $"a {Storage.Type} of {Count} elements";
}
