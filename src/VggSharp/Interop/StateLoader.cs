using System.Globalization;
using System.Runtime.InteropServices;
using VggSharp.Kernels;
using VggSharp.Layers;
using VggSharp.Models;
using VggSharp.Tensors;

namespace VggSharp.Interop;

/// <summary>
/// Loads a weights file of any format (<see cref="IWeightsSource"/>) into a model: checks keys, element types and
/// shapes against the model before copying anything, sizes the model from its layer plan before building it, and
/// builds into a fresh model, so a failure part-way (a corrupt record) never leaves a half-loaded one.
/// Files without VggSharp metadata are state_dicts from torchvision, and two of its conventions apply to them:
/// num_batches_tracked may be missing (files from before PyTorch 0.4.1; it is left at 0, as PyTorch does), and
/// fc6's weights for torchvision's 7x7 average pooling are folded to the model's feature map (<see cref="AdaptivePoolFolding"/>).
/// Float weights stored as F16, BF16 or F64 are converted to float32.
/// </summary>
internal static class StateLoader
{
    private const int KeysListed = 5;
    private const string BatchCounterSuffix = ".num_batches_tracked";
    private const string Fc6Weight = "classifier.0.weight";

    /// <summary>Builds a model from <paramref name="options"/> and loads the tensors of <paramref name="source"/> whose keys pass <paramref name="isModelKey"/>.</summary>
    public static VggModel Build(IWeightsSource source, VggOptions options, IBackend? backend, Func<string, bool>? isModelKey = null)
    {
        var configuration = options.Validate();
        long needed = StateSize.Of(options, configuration);
        // Any difference in size means a key or shape will not match; only a model bigger than the file is refused
        // here, before allocating it, so that the mismatch in a smaller one is still named precisely below.
        // (Without the counters a torchvision file may lack, which are 8 bytes per batch norm layer.)
        long counters = configuration.BatchNorm ? configuration.Features.Count(f => f.Kind == FeatureKind.Convolution) * (long)sizeof(long) : 0;
        if (needed - (source.HasBatchCounters ? 0 : counters) > source.LoadedDataLength)
            throw new WeightsFormatException(source.Path,
                $"{Describe(configuration, options)} holds {needed} bytes of weights but the file has only {source.LoadedDataLength}; it is for another architecture");
        var model = VggModel.CreateUninitialized(options, backend);
        try
        {
            foreach (var step in Plan(source, model, isModelKey ?? (_ => true))) step.Entry.Write((source, step), (bytes, load) => Run(load.source, load.step, bytes));
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Loads <paramref name="source"/> into <paramref name="model"/>, all or nothing: everything is checked against the
    /// model, then read into buffers of the model's size, and only when every read has succeeded copied into it. With
    /// <paramref name="covers"/>, only the keys it accepts are loaded, in the file and in the model alike; the model's
    /// other entries are left as they are.
    /// </summary>
    public static void LoadInto(VggModel model, IWeightsSource source, Func<string, bool>? covers = null)
    {
        if (model.IsFullyConvolutional)
            throw new ArgumentException("Load into the model a fully-convolutional one is made from, then convert it.", nameof(model));
        covers ??= _ => true;
        var steps = Plan(source, model, covers);
        var staged = steps.Select(step =>
        {
            var buffer = GC.AllocateUninitializedArray<float>((int)((step.Entry.ByteLength + sizeof(float) - 1) / sizeof(float)));
            var bytes = MemoryMarshal.AsBytes(buffer.AsSpan())[..(int)step.Entry.ByteLength];
            Run(source, step, bytes);
            return buffer;
        }).ToList();
        var loaded = steps.Select(s => s.Entry.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var entry in model.State().Where(e => covers(e.Key) && !loaded.Contains(e.Key))) entry.CopyFrom(new byte[entry.ByteLength]); // counters old files lack, as in a new model
        for (int i = 0; i < steps.Count; i++) steps[i].Entry.CopyFrom(MemoryMarshal.AsBytes(staged[i].AsSpan())[..(int)steps[i].Entry.ByteLength]);
    }

    /// <summary>Whether the file was written by VggSharp (and so must match its model exactly).</summary>
    public static bool IsVggSharpFile(IWeightsSource source) => ModelMetadata.IsPresent(source.Metadata);

    /// <summary>How one state entry is filled: from a tensor of the same type and shape, by conversion, or by folding fc6's pooling.</summary>
    private sealed record Step(StateEntry Entry, WeightsTensor Tensor, PoolFold? Fold);

    /// <summary>fc6's weights pool <paramref name="Channels"/> maps from <paramref name="MapSize"/> to <paramref name="PooledSize"/> squared.</summary>
    private sealed record PoolFold(int Channels, int PooledSize, int MapSize);

    /// <summary>How each model entry whose key passes <paramref name="isModelKey"/> is filled from the file's tensors that pass it.</summary>
    private static List<Step> Plan(IWeightsSource source, VggModel model, Func<string, bool> isModelKey)
    {
        bool foreign = !IsVggSharpFile(source), countersOptional = !source.HasBatchCounters;
        string described = Describe(model.Configuration, model.Options);
        var entries = model.State().Where(e => isModelKey(e.Key)).ToList();
        // Element types no model entry can hold are refused first, since the file cannot load whatever the model.
        foreach (var tensor in source.Tensors.Where(t => isModelKey(t.Name)))
        {
            if (tensor.DataType != SafetensorsDataType.I64 && !ElementConversion.ConvertsToSingle(tensor.DataType))
                throw new WeightsFormatException(source.Path,
                    $"unsupported dtype {tensor.DataType.HeaderName()} for {tensor.Name}: weights load from F32, F16, BF16 or F64 and batch counters from I64");
        }

        var modelKeys = entries.Select(e => e.Key).ToHashSet(StringComparer.Ordinal);
        var missing = entries.Select(e => e.Key).Where(k => source.Find(k) is null && !(countersOptional && k.EndsWith(BatchCounterSuffix, StringComparison.Ordinal))).ToList();
        var unexpected = source.Tensors.Select(t => t.Name).Where(k => isModelKey(k) && !modelKeys.Contains(k)).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
        {
            var problems = new List<string>();
            if (missing.Count > 0) problems.Add(ListKeys("missing", missing));
            if (unexpected.Count > 0) problems.Add(ListKeys("unexpected", unexpected));
            throw new WeightsFormatException(source.Path, $"{string.Join("; ", problems)} for {described}");
        }

        var steps = new List<Step>(entries.Count);
        foreach (var entry in entries)
        {
            if (source.Find(entry.Key) is not { } tensor) continue; // a counter torchvision's old files lack
            bool integer = entry.ElementType == StateElementType.Int64;
            if (integer != (tensor.DataType == SafetensorsDataType.I64))
                throw new WeightsFormatException(source.Path,
                    $"{entry.Key} is {tensor.DataType.HeaderName()} in the file but {(integer ? "I64" : "F32")} in the model");
            var shape = entry.Shape.Select(d => (long)d).ToArray();
            if (tensor.Shape.SequenceEqual(shape))
            {
                steps.Add(new Step(entry, tensor, null));
                continue;
            }
            var fold = foreign && entry.Key == Fc6Weight ? FoldFor(model, tensor, shape) : null;
            steps.Add(new Step(entry, tensor, fold
                ?? throw new WeightsFormatException(source.Path, $"{entry.Key} has shape {tensor.ShapeText} in the file but {WeightsTensor.FormatShape(shape)} in {described}")));
        }
        return steps;
    }

    /// <summary>The fold, when fc6's weights in the file take C·p·p inputs for the model's C channels (torchvision's pooling to p x p), or null.</summary>
    private static PoolFold? FoldFor(VggModel model, WeightsTensor tensor, long[] shape)
    {
        int map = model.FeatureMapSize(model.Options.InputSize);
        int channels = (int)(shape[1] / ((long)map * map));
        if (tensor.Shape.Count != 2 || tensor.Shape[0] != shape[0] || tensor.Shape[1] % channels != 0) return null;
        long area = tensor.Shape[1] / channels;
        int pooled = (int)Math.Round(Math.Sqrt(area));
        return (long)pooled * pooled == area ? new PoolFold(channels, pooled, map) : null;
    }

    /// <summary>Fills <paramref name="destination"/> (the entry's bytes, or a buffer of their size) from the step's tensor; NaN or infinity in a float entry is refused.</summary>
    private static void Run(IWeightsSource source, Step step, Span<byte> destination)
    {
        Read(source, step, destination);
        if (step.Entry.ElementType == StateElementType.Float32) RequireFinite(destination, source.Path, step.Entry.Key);
    }

    /// <summary>A float tensor read from a file must hold finite numbers: a NaN weight makes every output NaN, an infinite one overflows.</summary>
    public static void RequireFinite(ReadOnlySpan<byte> bytes, string path, string key)
    {
        var values = MemoryMarshal.Cast<byte, float>(bytes);
        long bad = FiniteValues.IndexOfNonFinite(values);
        if (bad >= 0) throw new WeightsFormatException(path, $"{key} holds {FiniteValues.Describe(values[(int)bad])} at element {bad}; weights must be finite numbers");
    }

    private static void Read(IWeightsSource source, Step step, Span<byte> destination)
    {
        var (entry, tensor, fold) = step;
        if (fold is null && (tensor.DataType == SafetensorsDataType.I64 || tensor.DataType == SafetensorsDataType.F32))
        {
            source.ReadTensor(tensor, destination);
            return;
        }
        var raw = new byte[tensor.ElementCount * tensor.DataType.ElementSize()];
        source.ReadTensor(tensor, raw);
        var target = MemoryMarshal.Cast<byte, float>(destination);
        if (fold is null)
        {
            ElementConversion.ToSingle(raw, tensor.DataType, target);
            return;
        }
        var pooled = new float[tensor.ElementCount];
        ElementConversion.ToSingle(raw, tensor.DataType, pooled);
        AdaptivePoolFolding.Fold(pooled, target, entry.Shape[0], fold.Channels, fold.PooledSize, fold.MapSize);
    }

    private static string ListKeys(string kind, List<string> keys) => keys.Count == 1
        ? $"{kind} key {keys[0]}"
        : $"{kind} keys {string.Join(", ", keys.Take(KeysListed))}{(keys.Count > KeysListed ? $" and {keys.Count - KeysListed} more" : "")}";

    /// <summary>"configuration D width 0.25", as errors name a model.</summary>
    public static string Describe(VggConfiguration configuration, VggOptions options) =>
        $"configuration {configuration.Name} width {options.WidthMultiplier.ToString(CultureInfo.InvariantCulture)}";
}
