using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using VggSharp.Data.Transforms;
using VggSharp.Interop;
using VggSharp.Kernels;
using VggSharp.Layers;
using VggSharp.Models;

namespace VggSharp.Training;

/// <summary>
/// A training run's whole state, as its checkpoint stores it: the model's weights, the optimizer's momentum buffers,
/// the learning-rate schedule, the position in the data, the options (with the data's channel statistics), the running
/// sums of the epoch in progress and the class names, in ONE safetensors file, <c>checkpoint.safetensors</c> in the run
/// directory. Weights keep torchvision's keys, momentum buffers are "momentum." + the key, the rest is string metadata
/// with JSON values ("checkpoint.*", "extra.*", and the model's "vggsharp.*"); this type alone reads and writes it.
/// <para>
/// Atomicity: <see cref="SafetensorsWriter"/> writes the whole file under a temporary name in the same directory,
/// flushes it to disk and only then renames it over the old checkpoint. A rename within a file system is atomic on
/// Linux (and a replace on Windows), so at every moment <c>checkpoint.safetensors</c> is either the previous complete
/// checkpoint or the new complete one: a crash mid-write leaves the old one and at worst a stray temporary file, which
/// the next save removes. One file avoids the problem of several files (weights, optimizer, state) that would have
/// to change together, which no single rename can do for a directory that already exists.
/// </para>
/// <para>
/// Integrity: the file carries a CRC-32 over its tensors and metadata (<see cref="SafetensorsChecksum"/>). A new
/// checkpoint is read back and verified before it replaces the previous one, and <see cref="Load"/> verifies it, so
/// a changed bit is an error rather than a resumed run with damaged weights that then overwrites its checkpoint.
/// Checkpoints of format version 1, written before checksums, still load unverified: they have nothing to check
/// against, and refusing them would strand the runs they belong to; a version-2 file cannot pass for one, since its
/// version is part of the checksummed metadata and "2" is two bits from "1".
/// </para>
/// The checkpoint owns its model and optimizer: disposing it disposes them (<see cref="Trainer.Resume"/> takes it over).
/// One trainer writes to a run directory at a time.
/// </summary>
/// <param name="Model">The model, bit for bit as saved.</param>
/// <param name="Optimizer">An optimizer for <paramref name="Model"/> with the saved options and momentum buffers.</param>
/// <param name="Options">The run's options, with the training set's channel statistics; loaded, its output directory is the run directory.</param>
/// <param name="ClassNames">The class names, indexed by label.</param>
/// <param name="Schedule">The learning-rate schedule's state.</param>
/// <param name="Position">Where training resumes.</param>
/// <param name="Progress">The running sums of the epoch in progress.</param>
public sealed record Checkpoint(VggModel Model, SgdOptimizer Optimizer, TrainingOptions Options, IReadOnlyList<string> ClassNames,
    LearningRateScheduleState Schedule, TrainingPosition Position, EpochProgress Progress) : IDisposable
{
    /// <summary>The checkpoint's file name in the run directory.</summary>
    public const string FileName = "checkpoint.safetensors";

    /// <summary>Version 2 adds the checksum; version 1 files still load.</summary>
    private const int FormatVersion = 2, UnverifiedFormatVersion = 1;
    private const string FormatVersionKey = "checkpoint.format_version";
    private const string PositionKey = "checkpoint.position";
    private const string SeedKey = "checkpoint.seed";
    private const string ScheduleKey = "checkpoint.schedule";
    private const string OptimizerKey = "checkpoint.optimizer";
    private const string OptionsKey = "extra.options", StatisticsKey = "extra.statistics", ProgressKey = "extra.epoch_progress", ClassNamesKey = "extra.class_names";

    /// <summary>The key of the channel statistics in the final model file's metadata.</summary>
    internal const string ModelStatisticsKey = "statistics";

    /// <summary>Missing fields and nulls in the stored state are errors, not zeros.</summary>
    private static readonly JsonSerializerOptions StrictJson = new() { RespectRequiredConstructorParameters = true, RespectNullableAnnotations = true, TypeInfoResolver = PersistedJson.Default };

    /// <summary>The checkpoint's path in <paramref name="runDirectory"/>.</summary>
    public static string PathIn(string runDirectory) => System.IO.Path.Combine(runDirectory, FileName);

    /// <summary>Whether <paramref name="runDirectory"/> has a checkpoint to resume from.</summary>
    public static bool Exists(string runDirectory) => File.Exists(PathIn(runDirectory));

    /// <summary>The training set's channel statistics as the final model file stores them (<see cref="ModelStatisticsKey"/>).</summary>
    internal static string StatisticsJson(ChannelStatistics statistics) => JsonSerializer.Serialize(statistics, PersistedJson.Default.ChannelStatistics);

    /// <summary>
    /// Writes the checkpoint atomically into <paramref name="runDirectory"/> (created if needed), replacing the previous
    /// one only once the new one is complete on disk.
    /// </summary>
    public void Save(string runDirectory)
    {
        if (Model.IsFullyConvolutional) throw new InvalidOperationException("Checkpoint the model being trained, not its fully-convolutional form.");
        if (Options.Statistics is null) throw new InvalidOperationException("A checkpoint stores the training set's channel statistics; the options have none.");
        Position.Validate();
        var modelEntries = Model.State().ToList();
        var momentum = Optimizer.State().ToList();
        CheckOptimizerFits(modelEntries, momentum);

        var metadata = ModelMetadata.From(Model.Options);
        metadata[FormatVersionKey] = FormatVersion.ToString(CultureInfo.InvariantCulture);
        metadata[PositionKey] = JsonSerializer.Serialize(Position, PersistedJson.Default.TrainingPosition);
        metadata[SeedKey] = Options.Seed.ToString(CultureInfo.InvariantCulture);
        metadata[ScheduleKey] = JsonSerializer.Serialize(Schedule, PersistedJson.Default.LearningRateScheduleState);
        metadata[OptimizerKey] = JsonSerializer.Serialize(new OptimizerRecord(Optimizer.Options.Momentum, Optimizer.Options.WeightDecay), PersistedJson.Default.OptimizerRecord);
        metadata[OptionsKey] = JsonSerializer.Serialize(CheckpointOptions.From(Options, Model.Options), PersistedJson.Default.CheckpointOptions);
        metadata[StatisticsKey] = StatisticsJson(Options.Statistics);
        metadata[ProgressKey] = JsonSerializer.Serialize(Progress, PersistedJson.Default.EpochProgress);
        metadata[ClassNamesKey] = JsonSerializer.Serialize(ClassNames, PersistedJson.Default.IReadOnlyListString);

        var tensors = modelEntries.Concat(momentum).Select(entry => new SafetensorsTensorSource(
            entry.Key,
            entry.ElementType == StateElementType.Int64 ? SafetensorsDataType.I64 : SafetensorsDataType.F32,
            entry.Shape.Select(d => (long)d).ToArray(),
            entry.HostBytes)).ToList();

        FileErrors.CreateDirectory(runDirectory);
        RemoveStaleTemporaryFiles(runDirectory);
        SafetensorsWriter.Write(PathIn(runDirectory), tensors, metadata, checksum: true);
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
        if (version == FormatVersion.ToString(CultureInfo.InvariantCulture))
        {
            // The reader verified the checksum when the file had one; this version must have one.
            if (!metadata.ContainsKey(SafetensorsChecksum.Key)) throw new WeightsFormatException(path, $"the checkpoint lacks its checksum ({SafetensorsChecksum.Key}); the file is damaged");
        }
        else if (version != UnverifiedFormatVersion.ToString(CultureInfo.InvariantCulture))
        {
            throw new WeightsFormatException(path, $"checkpoint format version {version} is not one this library reads ({UnverifiedFormatVersion} or {FormatVersion})");
        }

        var position = Parse(metadata, PositionKey, path, PersistedJson.Of<TrainingPosition>(StrictJson));
        try
        {
            position.Validate();
        }
        catch (ArgumentException e)
        {
            throw new WeightsFormatException(path, $"{PositionKey}: {e.Message}", e);
        }
        var schedule = Parse(metadata, ScheduleKey, path, PersistedJson.Of<LearningRateScheduleState>(StrictJson));
        var optimizerRecord = Parse(metadata, OptimizerKey, path, PersistedJson.Of<OptimizerRecord>(StrictJson));
        if (!ulong.TryParse(Required(metadata, SeedKey, path), NumberStyles.None, CultureInfo.InvariantCulture, out ulong seed))
            throw new WeightsFormatException(path, $"{SeedKey} has the malformed value '{metadata[SeedKey]}'");
        var sgd = new SgdOptions { Momentum = optimizerRecord.Momentum, WeightDecay = optimizerRecord.WeightDecay };
        try
        {
            sgd.Validate();
        }
        catch (ArgumentException e)
        {
            throw new WeightsFormatException(path, $"{OptimizerKey}: {e.Message}", e);
        }
        // The trainer's own records were written with the serializer's defaults, and are read so.
        var statistics = Parse(metadata, StatisticsKey, path, PersistedJson.Default.ChannelStatistics);
        var options = Parse(metadata, OptionsKey, path, PersistedJson.Default.CheckpointOptions, CheckpointOptions.Defaults).ToOptions(statistics) with { OutputDirectory = runDirectory };
        if (options.Seed != seed) throw new WeightsFormatException(path, $"{SeedKey} is {seed} but {OptionsKey} says {options.Seed}");
        var progress = Parse(metadata, ProgressKey, path, PersistedJson.Default.EpochProgress);
        var classNames = Parse(metadata, ClassNamesKey, path, PersistedJson.Default.ListString);

        var model = VggModelFile.Load(reader, key => !key.StartsWith(SgdOptimizer.StatePrefix, StringComparison.Ordinal), backend);
        SgdOptimizer? optimizer = null;
        try
        {
            optimizer = new SgdOptimizer(model.Network, sgd);
            ReadMomentum(reader, optimizer);
            return new Checkpoint(model, optimizer, options, classNames, schedule, position, progress);
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
        foreach (var (entry, tensor) in pairs)
        {
            entry.Write((reader, tensor), (bytes, file) =>
            {
                file.reader.ReadTensor(file.tensor, bytes);
                StateLoader.RequireFinite(bytes, file.reader.Path, file.tensor.Name);
            });
        }
    }

    private static string Required(IReadOnlyDictionary<string, string> metadata, string key, string path) =>
        metadata.TryGetValue(key, out string? value) ? value : throw new WeightsFormatException(path, $"the checkpoint metadata lacks {key}");

    /// <summary>
    /// The record stored under <paramref name="key"/>; with <paramref name="defaults"/>, a property an older checkpoint
    /// lacks keeps its value there (as reflection-based reading kept property initialisers).
    /// </summary>
    private static T Parse<T>(IReadOnlyDictionary<string, string> metadata, string key, string path, JsonTypeInfo<T> typeInfo, T? defaults = null)
        where T : class
    {
        string text = Required(metadata, key, path);
        try
        {
            return PersistedJson.Read(text, typeInfo, defaults) ?? throw new WeightsFormatException(path, $"{key} is null");
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
