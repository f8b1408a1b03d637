namespace VggSharp.Interop.Pickle;

/// <summary>
/// What a <see cref="PickleReader"/> asks its caller for the three opcodes that would run code in Python's own
/// unpickler: importing a global (GLOBAL, STACK_GLOBAL), calling it (REDUCE) and loading an external object
/// (BINPERSID). The host decides what is allowed; it throws <see cref="WeightsFormatException"/> for the rest.
/// </summary>
internal interface IPickleHost
{
    /// <summary>A token for the global <paramref name="module"/>.<paramref name="name"/>, if it is on the host's allow-list.</summary>
    object ResolveGlobal(string module, string name);

    /// <summary>The result of calling <paramref name="callable"/> (a token from <see cref="ResolveGlobal"/>, or anything else the pickle put there) with <paramref name="arguments"/>.</summary>
    object? Reduce(object? callable, object?[] arguments);

    /// <summary>The object a persistent id refers to (PyTorch's storages).</summary>
    object PersistentLoad(object? id);
}
