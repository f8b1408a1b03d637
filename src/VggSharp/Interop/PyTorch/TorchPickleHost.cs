using VggSharp.Interop.Pickle;

namespace VggSharp.Interop.PyTorch;

/// <summary>
/// The allow-list for PyTorch state_dict pickles: collections.OrderedDict, torch._utils._rebuild_tensor (files from
/// before PyTorch 0.4, like torchvision's published VGG weights), _rebuild_tensor_v2 and _rebuild_parameter, and the
/// real-valued storage classes. Nothing is imported or called: each allowed global is a token, and REDUCE on a
/// token builds a <see cref="PickleDict"/> or a validated <see cref="TorchTensor"/>. Any other global (a pickled
/// model, os.system) is refused with its name.
/// </summary>
internal sealed class TorchPickleHost(string path, Func<TorchStorageId, TorchStorageView> storages) : IPickleHost
{
    private enum Function { OrderedDict, RebuildTensor, RebuildTensorV2, RebuildParameter }

    private sealed record Global(string Module, string Name, Function Function)
    {
        public override string ToString() => $"{Module}.{Name}";
    }

    private static readonly Global[] Functions =
    [
        new("collections", "OrderedDict", Function.OrderedDict),
        new("torch._utils", "_rebuild_tensor", Function.RebuildTensor),
        new("torch._utils", "_rebuild_tensor_v2", Function.RebuildTensorV2),
        new("torch._utils", "_rebuild_parameter", Function.RebuildParameter),
    ];

    /// <inheritdoc />
    public object ResolveGlobal(string module, string name)
    {
        var function = Functions.FirstOrDefault(f => f.Module == module && f.Name == name);
        if (function is not null) return function;
        if (module == "torch" && TorchStorageType.Find(name) is { } storage) return storage;
        string global = $"{module}.{name}";
        if (module.StartsWith("torch.nn", StringComparison.Ordinal) || module.StartsWith("torchvision", StringComparison.Ordinal))
            throw new WeightsFormatException(path,
                $"the file pickles a model object ({global}), not a state_dict; save it with torch.save(model.state_dict(), path). Nothing in the file was run");
        throw new WeightsFormatException(path,
            $"the pickle refers to {global}, which is not on the allow-list of what a state_dict needs (collections.OrderedDict, torch._utils._rebuild_tensor_v2, "
            + "torch storages); the file was refused and nothing in it was run");
    }

    /// <inheritdoc />
    public object? Reduce(object? callable, object?[] arguments)
    {
        if (callable is not Global global)
            throw new WeightsFormatException(path, $"the pickle calls {PickleReader.Describe(callable)}; only OrderedDict and the tensor rebuilders may be called");
        switch (global.Function)
        {
            case Function.OrderedDict:
                if (arguments.Length != 0) throw Arguments(global, arguments, "none");
                return new PickleDict();
            case Function.RebuildTensor:
                if (arguments.Length != 4) throw Arguments(global, arguments, "4");
                return Tensor(arguments);
            case Function.RebuildTensorV2:
                // (storage, offset, size, stride, requires_grad, backward_hooks[, metadata]); hooks are never serialised with contents.
                if (arguments.Length is not (6 or 7) || arguments[4] is not bool || arguments[5] is not PickleDict
                    || (arguments.Length == 7 && arguments[6] is not (null or PickleDict)))
                    throw Arguments(global, arguments, "(storage, offset, size, stride, requires_grad, hooks[, metadata])");
                return Tensor(arguments);
            default: // RebuildParameter: (tensor, requires_grad, backward_hooks)
                if (arguments is not [TorchTensor tensor, bool, PickleDict]) throw Arguments(global, arguments, "(tensor, requires_grad, hooks)");
                return tensor;
        }
    }

    /// <inheritdoc />
    public object PersistentLoad(object? id)
    {
        if (id is not object?[] tuple || tuple.Length is not (5 or 6) || tuple[0] is not "storage")
            throw new WeightsFormatException(path, $"a persistent id is {PickleReader.Describe(id)}, not ('storage', class, key, location, count)");
        if (tuple[1] is not TorchStorageType type || tuple[2] is not string key || tuple[3] is not string || tuple[4] is not long count || count < 0)
            throw new WeightsFormatException(path, "a storage's persistent id is malformed (expected a storage class, a key, a location and a non-negative element count)");
        TorchStorageId.Window? view = null;
        if (tuple.Length == 6 && tuple[5] is not null)
        {
            if (tuple[5] is not object?[] window || window is not [string viewKey, long offset, long viewCount] || offset < 0 || viewCount < 0)
                throw new WeightsFormatException(path, $"storage {key}'s view is malformed (expected a key, an offset and an element count)");
            view = new TorchStorageId.Window(viewKey, offset, viewCount);
        }
        return storages(new TorchStorageId(type, key, count, view));
    }

    private TorchTensor Tensor(object?[] arguments)
    {
        if (arguments[0] is not TorchStorageView view)
            throw new WeightsFormatException(path, $"a tensor is rebuilt from {PickleReader.Describe(arguments[0])} instead of a storage");
        return TorchTensor.Create(path, view, arguments[1], arguments[2], arguments[3]);
    }

    private WeightsFormatException Arguments(Global global, object?[] arguments, string expected) =>
        new(path, $"{global} is called with {arguments.Length} arguments ({string.Join(", ", arguments.Select(PickleReader.Describe))}); expected {expected}");
}
