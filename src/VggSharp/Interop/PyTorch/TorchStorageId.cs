namespace VggSharp.Interop.PyTorch;

/// <summary>
/// A persistent id as torch.save writes it: ('storage', storage class, key, location, element count) in zip files,
/// with a sixth item in legacy files, None or a view (view key, offset, element count) into the storage.
/// </summary>
internal sealed record TorchStorageId(TorchStorageType Type, string Key, long ElementCount, TorchStorageId.Window? View)
{
    /// <summary>A legacy view: <paramref name="Count"/> elements of the storage from <paramref name="Offset"/>, under its own key.</summary>
    public sealed record Window(string Key, long Offset, long Count);
}
