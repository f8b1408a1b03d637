using System.Globalization;
using System.Text.Json;
using VggSharp.Interop;
using VggSharp.Kernels;
using VggSharp.Layers;
using VggSharp.Models;

namespace VggSharp.Training;

/// <summary>
/// A training run's checkpoint: the model's weights, the optimizer's momentum buffers, the learning-rate schedule, the
/// position in the data, the seed and any extra state the trainer adds, in ONE safetensors file,
/// <c>checkpoint.safetensors</c> in the run directory. Weights keep torchvision's keys, momentum buffers are
/// "momentum." + the key, the rest is string metadata ("checkpoint.*", "extra.*", and the model's "vggsharp.*").
/// <para>
/// Atomicity: <see cref="SafetensorsWriter"/> writes the whole file under a temporary name in the same directory,
/// flushes it to disk and only then renames it over the old checkpoint. A rename within a file system is atomic on
/// Linux (and a replace on Windows), so at every moment <c>checkpoint.safetensors</c> is either the previous complete
/// checkpoint or the new complete one: a crash mid-write leaves the old one and at worst a stray temporary file, which
/// the next save removes. One file avoids the problem of several files (weights, optimizer, state) that would have
/// to change together, which no single rename can do for a directory that already exists.
/// </para>
/// Disposing a loaded checkpoint disposes its model and optimizer. One trainer writes to a run directory at a time.
/// </summary>
public sealed class Checkpoint : IDisposable
{
    /// <summary>The checkpoint's file name in the run directory.</summary>
    public const string FileName = "checkpoint.safetensors";

    /// <summary>The prefix of the trainer's extra metadata keys in the file.</summary>
    public const string ExtraPrefix = "extra.";

    private const int FormatVersion = 1;
    private const string FormatVersionKey = "checkpoint.format_version";
    private const string PositionKey = "checkpoint.position";
    private const string SeedKey = "checkpoint.seed";
    private const string ScheduleKey = "checkpoint.schedule";
    private const string OptimizerKey = "checkpoint.optimizer";

    /// <summary>Missing fields and nulls in the stored state are errors, not zeros.</summary>
    private static readonly JsonSerializerOptions StrictJson = new() { RespectRequiredConstructorParameters = true, RespectNullableAnnotations = true, TypeInfoResolver = PersistedJson.Default };

    private Checkpoint(string path, VggModel model, SgdOptimizer optimizer, LearningRateScheduleState schedule,
        TrainingPosition position, ulong seed, IReadOnlyDictionary<string, string> extra)
    {
        (Path, Model, Optimizer, Schedule, Position, Seed, Extra) = (path, model, optimizer, schedule, position, seed, extra);
    }

    /// <summary>The file it was loaded from.</summary>
    public string Path { get; }

    /// <summary>The model, bit for bit as saved.</summary>
    public VggModel Model { get; }

    /// <summary>An optimizer for <see cref="Model"/> with the saved options and momentum buffers.</summary>
    public SgdOptimizer Optimizer { get; }

    /// <summary>The learning-rate schedule's state; pass it to <see cref="LearningRateSchedule"/> with the run's options.</summary>
    public LearningRateScheduleState Schedule { get; }

    /// <summary>Where training resumes.</summary>
    public TrainingPosition Position { get; }

    /// <summary>The run's seed.</summary>
    public ulong Seed { get; }

    /// <summary>The extra state the trainer saved, by key (without the "extra." prefix).</summary>
    public IReadOnlyDictionary<string, string> Extra { get; }

    /// <summary>The checkpoint's path in <paramref name="runDirectory"/>.</summary>
    public static string PathIn(string runDirectory) => System.IO.Path.Combine(runDirectory, FileName);

    /// <summary>Whether <paramref name="runDirectory"/> has a checkpoint to resume from.</summary>
    public static bool Exists(string runDirectory) => File.Exists(PathIn(runDirectory));

    /// <summary>
    /// Writes the checkpoint atomically into <paramref name="runDirectory"/> (created if needed), replacing the previous
    /// one only once the new one is complete on disk. <paramref name="extra"/> holds the trainer's own state (options as
    /// JSON, dataset statistics), as strings.
    /// </summary>
    public static void Save(string runDirectory, VggModel model, SgdOptimizer optimizer, LearningRateScheduleState schedule,
        TrainingPosition position, ulong seed, IReadOnlyDictionary<string, string>? extra = null)
    {
        if (model.IsFullyConvolutional) throw new ArgumentException("Checkpoint the model being trained, not its fully-convolutional form.", nameof(model));
        position.Validate();
        var modelEntries = model.State().ToList();
        var momentum = optimizer.State().ToList();
        CheckOptimizerFits(modelEntries, momentum);

        var metadata = ModelMetadata.From(model.Options);
        metadata[FormatVersionKey] = FormatVersion.ToString(CultureInfo.InvariantCulture);
        metadata[PositionKey] = JsonSerializer.Serialize(position, PersistedJson.Default.TrainingPosition);
        metadata[SeedKey] = seed.ToString(CultureInfo.InvariantCulture);
        metadata[ScheduleKey] = JsonSerializer.Serialize(schedule, PersistedJson.Default.LearningRateScheduleState);
        metadata[OptimizerKey] = JsonSerializer.Serialize(new OptimizerRecord(optimizer.Options.Momentum, optimizer.Options.WeightDecay), PersistedJson.Default.OptimizerRecord);
        foreach (var (key, value) in extra ?? new Dictionary<string, string>()) metadata[ExtraPrefix + key] = value;

        var tensors = modelEntries.Concat(momentum).Select(entry => new SafetensorsTensorSource(
            entry.Key,
            entry.ElementType == StateElementType.Int64 ? SafetensorsDataType.I64 : SafetensorsDataType.F32,
            entry.Shape.Select(d => (long)d).ToArray(),
            () => entry.Bytes)).ToList();

        Directory.CreateDirectory(runDirectory);
        RemoveStaleTemporaryFiles(runDirectory);
        SafetensorsWriter.Write(PathIn(runDirectory), tensors, metadata);
    }

    /// <summary>
    /// Loads the checkpoint in <paramref name="runDirectory"/>. A missing one is a <see cref="FileNotFoundException"/>;
    /// a truncated, corrupt or foreign file a <see cref="WeightsFormatException"/> naming it and the problem.
    /// </summary>
    public static Checkpoint Load(string runDirectory, IBackend? backend = null)
    {
        string path = PathIn(runDirectory);
        if (!File.Exists(path)) throw new FileNotFoundException($"{runDirectory} has no checkpoint ({FileName}) to resume from.", path);
        using var reader = SafetensorsReader.Open(path);
        var metadata = reader.Header.Metadata;
        if (!metadata.TryGetValue(FormatVersionKey, out string? version))
            throw new WeightsFormatException(path, $"not a training checkpoint: the metadata lacks {FormatVersionKey}");
        if (version != FormatVersion.ToString(CultureInfo.InvariantCulture))
            throw new WeightsFormatException(path, $"checkpoint format version {version} is not the version {FormatVersion} this library reads");

        var position = Parse<TrainingPosition>(metadata, PositionKey, path);
        try
        {
            position.Validate();
        }
        catch (ArgumentException e)
        {
            throw new WeightsFormatException(path, $"{PositionKey}: {e.Message}", e);
        }
        var schedule = Parse<LearningRateScheduleState>(metadata, ScheduleKey, path);
        var optimizerRecord = Parse<OptimizerRecord>(metadata, OptimizerKey, path);
        if (!ulong.TryParse(Required(metadata, SeedKey, path), NumberStyles.None, CultureInfo.InvariantCulture, out ulong seed))
            throw new WeightsFormatException(path, $"{SeedKey} has the malformed value '{metadata[SeedKey]}'");
        var options = new SgdOptions { Momentum = optimizerRecord.Momentum, WeightDecay = optimizerRecord.WeightDecay };
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new WeightsFormatException(path, $"{OptimizerKey}: {e.Message}", e);
        }
        var extra = metadata.Where(e => e.Key.StartsWith(ExtraPrefix, StringComparison.Ordinal))
            .ToDictionary(e => e.Key[ExtraPrefix.Length..], e => e.Value, StringComparer.Ordinal);

        var model = VggModelFile.Load(reader, key => !key.StartsWith(SgdOptimizer.StatePrefix, StringComparison.Ordinal), backend);
        SgdOptimizer? optimizer = null;
        try
        {
            optimizer = new SgdOptimizer(model.Network, options);
            ReadMomentum(reader, optimizer);
            return new Checkpoint(path, model, optimizer, schedule, position, seed, extra);
        }
        catch
        {
            optimizer?.Dispose();
            model.Dispose();
            throw;
        }
    }

    /// <summary>Frees the model and the optimizer.</summary>
    public void Dispose()
    {
        Optimizer.Dispose();
        Model.Dispose();
    }

    private static void CheckOptimizerFits(List<StateEntry> model, List<StateEntry> momentum)
    {
        var trainable = model.Where(e => e.IsTrainable).ToDictionary(e => e.Key, e => e.Shape);
        bool fits = momentum.Count == trainable.Count && momentum.All(m =>
            trainable.TryGetValue(m.Key[SgdOptimizer.StatePrefix.Length..], out var shape) && shape.SequenceEqual(m.Shape));
        if (!fits) throw new ArgumentException("The optimizer was made for another network: its momentum buffers do not match the model's parameters.");
    }

    /// <summary>Checks every momentum key, dtype and shape against the optimizer before reading any, then reads them.</summary>
    private static void ReadMomentum(SafetensorsReader reader, SgdOptimizer optimizer)
    {
        var entries = optimizer.State().ToList();
        var expected = entries.Select(e => e.Key).ToHashSet(StringComparer.Ordinal);
        var unexpected = reader.Header.Tensors.FirstOrDefault(t => t.Name.StartsWith(SgdOptimizer.StatePrefix, StringComparison.Ordinal) && !expected.Contains(t.Name));
        if (unexpected is not null) throw new WeightsFormatException(reader.Path, $"unexpected momentum buffer {unexpected.Name}");
        var pairs = new List<(StateEntry Entry, SafetensorsTensorInfo Tensor)>(entries.Count);
        foreach (var entry in entries)
        {
            var tensor = reader.Header.Find(entry.Key) ?? throw new WeightsFormatException(reader.Path, $"missing momentum buffer {entry.Key}");
            if (tensor.DataType != SafetensorsDataType.F32 || !tensor.Shape.SequenceEqual(entry.Shape.Select(d => (long)d)))
                throw new WeightsFormatException(reader.Path,
                    $"{entry.Key} is {tensor.DataType.HeaderName()} {tensor.ShapeText} in the file but F32 {WeightsTensor.FormatShape(entry.Shape.Select(d => (long)d))} in the model");
            pairs.Add((entry, tensor));
        }
        foreach (var (entry, tensor) in pairs) reader.ReadTensor(tensor, entry.Bytes);
    }

    private static string Required(IReadOnlyDictionary<string, string> metadata, string key, string path) =>
        metadata.TryGetValue(key, out string? value) ? value : throw new WeightsFormatException(path, $"the checkpoint metadata lacks {key}");

    private static T Parse<T>(IReadOnlyDictionary<string, string> metadata, string key, string path)
    {
        string json = Required(metadata, key, path);
        try
        {
            return JsonSerializer.Deserialize(json, PersistedJson.Of<T>(StrictJson)) ?? throw new WeightsFormatException(path, $"{key} is null");
        }
        catch (JsonException e)
        {
            throw new WeightsFormatException(path, $"{key} is not valid: {e.Message}", e);
        }
    }

    /// <summary>A killed process leaves its temporary file; with one trainer per run directory, any such file is stale.</summary>
    private static void RemoveStaleTemporaryFiles(string runDirectory)
    {
        foreach (string stale in Directory.EnumerateFiles(runDirectory, AtomicFile.TemporaryFilePattern(FileName))) File.Delete(stale);
    }

    /// <summary>The optimizer's options as stored in the metadata.</summary>
    internal sealed record OptimizerRecord(
        [property: System.Text.Json.Serialization.JsonPropertyName("momentum")] float Momentum,
        [property: System.Text.Json.Serialization.JsonPropertyName("weight_decay")] float WeightDecay);
}
