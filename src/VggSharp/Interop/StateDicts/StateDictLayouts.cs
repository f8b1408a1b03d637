namespace VggSharp.Interop.StateDicts;

/// <summary>
/// A VGG's state_dict as the tools around PyTorch save it, seen under torchvision's keys: the prefix a wrapper adds to
/// every key is removed (torch.compile's "_orig_mod.", DataParallel's "module.", a Lightning module's "model.", or
/// several of them), and timm's layout (the Hugging Face hub's timm/vgg16.tv_in1k and friends: "pre_logits.fc1", a
/// 7x7 convolution, "pre_logits.fc2", a 1x1 one, and "head.fc") becomes torchvision's classifier.0, .3 and .6, the
/// convolutions' weights read as the fully-connected layers' they equal at 224x224.
/// </summary>
internal static class StateDictLayouts
{
    private const string Features = "features.";
    private static readonly (string Timm, string Torchvision)[] TimmClassifier =
        [("pre_logits.fc1.", "classifier.0."), ("pre_logits.fc2.", "classifier.3."), ("head.fc.", "classifier.6.")];

    /// <summary>
    /// <paramref name="source"/> itself when its keys are torchvision's or it describes its own model, or else a view of
    /// it under torchvision's keys (which then owns it; on an error it is disposed).
    /// </summary>
    public static IWeightsSource Normalize(IWeightsSource source)
    {
        if (StateLoader.IsVggSharpFile(source) || source.Tensors.Count == 0) return source;
        try
        {
            string prefix = WrapperPrefix(source.Tensors);
            bool timm = source.Tensors.Any(t => TimmClassifier.Any(c => t.Name.AsSpan(prefix.Length).StartsWith(c.Timm, StringComparison.Ordinal)));
            if (prefix.Length == 0 && !timm) return source;

            int? kernel = null;
            var renamed = new List<(WeightsTensor Renamed, WeightsTensor Original)>(source.Tensors.Count);
            foreach (var tensor in source.Tensors)
            {
                string name = tensor.Name[prefix.Length..];
                IReadOnlyList<long> shape = tensor.Shape;
                if (timm && TimmClassifier.FirstOrDefault(c => name.StartsWith(c.Timm, StringComparison.Ordinal)) is ({ } from, { } to))
                {
                    name = to + name[from.Length..];
                    if (name == "classifier.0.weight") kernel = SquareKernel(source, tensor, out shape);
                    else if (name == "classifier.3.weight" && SquareKernel(source, tensor, out shape) != 1)
                        throw new WeightsFormatException(source.Path, $"{tensor.Name} is {tensor.ShapeText}, not the 1x1 convolution of timm's VGG");
                }
                renamed.Add((tensor with { Name = name, Shape = shape }, tensor));
            }
            var twice = renamed.GroupBy(t => t.Renamed.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (twice is not null)
                throw new WeightsFormatException(source.Path, $"{string.Join(" and ", twice.Select(t => t.Original.Name))} are both {twice.Key}");
            string layout = (timm ? "timm's layout" : "") + (timm && prefix.Length > 0 ? ", " : "") + (prefix.Length > 0 ? $"prefix {prefix} removed" : "");
            return new RenamedWeightsSource(source, renamed, layout, kernel);
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The shortest prefix, ending at a dot, that every key shares and after which some key is a VGG's feature layer;
    /// empty when the keys need none or have no such prefix (loading then names the keys that do not fit).
    /// </summary>
    private static string WrapperPrefix(IReadOnlyList<WeightsTensor> tensors)
    {
        string first = tensors[0].Name;
        for (int end = 0; end >= 0 && end < first.Length; end = first.IndexOf('.', end) is var dot and >= 0 ? dot + 1 : -1)
        {
            string prefix = first[..end];
            if (!tensors.All(t => t.Name.StartsWith(prefix, StringComparison.Ordinal))) return "";
            if (tensors.Any(t => t.Name.AsSpan(end).StartsWith(Features, StringComparison.Ordinal))) return prefix;
        }
        return "";
    }

    /// <summary>The kernel size of timm's convolution standing for a fully-connected layer, and its weights' shape as that layer's.</summary>
    private static int SquareKernel(IWeightsSource source, WeightsTensor tensor, out IReadOnlyList<long> linear)
    {
        var shape = tensor.Shape;
        if (shape.Count != 4 || shape[2] != shape[3] || shape[2] is < 1 or > int.MaxValue)
            throw new WeightsFormatException(source.Path, $"{tensor.Name} is {tensor.ShapeText}, not a square convolution's weights as timm's VGG has there");
        linear = [shape[0], shape[1] * shape[2] * shape[3]];
        return (int)shape[2];
    }
}
