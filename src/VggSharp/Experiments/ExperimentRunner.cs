using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using VggSharp.Data;
using VggSharp.Data.Transforms;
using VggSharp.Evaluation;
using VggSharp.Interop;
using VggSharp.Kernels;
using VggSharp.Models;
using VggSharp.Training;

namespace VggSharp.Experiments;

/// <summary>
/// Runs one of the paper's studies (<see cref="StudyPlan"/>): trains each network of each seed as an ordinary run in
/// <c>runs/</c> under the study's directory (A from random weights, B to E warm-started from the A of the same seed),
/// evaluates each row under its protocol and test scales with <see cref="Evaluator"/>, keeping each result in
/// <c>evaluations/</c>, and writes the study's reports (<see cref="StudyReport"/>: table3.html and table3.md for Table 3's). Nothing is done twice: a finished run or evaluation is
/// reused, an interrupted run resumes from its checkpoint (bit for bit, as <see cref="Trainer.Resume"/> does), so a
/// study stopped at any point continues where it stopped when started again. Networks run on
/// <see cref="Backends.Default"/>.
/// </summary>
public static class ExperimentRunner
{
    /// <summary>The folder of run directories in a study's directory.</summary>
    public const string RunsFolder = "runs";

    /// <summary>The folder of kept evaluations in a study's directory.</summary>
    public const string EvaluationsFolder = "evaluations";

    /// <summary>The largest settings or evaluation file read back: both are a few hundred bytes.</summary>
    private const long MaxRecordBytes = 1 << 16;

    /// <summary>
    /// Runs the study of <paramref name="table"/> with <paramref name="options"/>. Training and study messages go to
    /// <paramref name="progress"/>; cancellation stops at the next step of a run (its checkpoint saved) or between images
    /// of an evaluation, with an <see cref="OperationCanceledException"/>.
    /// </summary>
    public static StudyResult Run(PaperTable table, ExperimentOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        options.Validate();
        var stopwatch = Stopwatch.StartNew();
        var plan = StudyPlan.For(table);
        // The data first: a study that cannot start leaves no settings behind to refuse the corrected command.
        var data = DataSource.Open(options.Data);
        var (train, validation) = data;
        Directory.CreateDirectory(options.OutputDirectory);
        CheckSettings(options);
        // Every run trains on the same images: their statistics are computed once, as each run would compute them.
        var statistics = new Lazy<ChannelStatistics>(() =>
            TrainingLaunch.Statistics(options.TrainingOptionsFor(ModelVariant.WarmStartSource, 1, options.OutputDirectory, null).Source!, train, progress));

        var runs = new Dictionary<(ModelVariant, int), StudyRunRecord>();
        int total = plan.Variants.Count * options.Seeds, done = 0;
        for (int seed = 1; seed <= options.Seeds; seed++)
        {
            foreach (var variant in plan.Variants)
            {
                cancellation.ThrowIfCancellationRequested();
                Say(progress, $"[{++done}/{total}] {variant.Label}, seed {seed}");
                runs[(variant, seed)] = EnsureTrained(variant, seed, options, data, statistics, progress, cancellation);
            }
        }

        var rows = new List<RowResult>();
        foreach (var row in plan.Rows)
        {
            var evaluations = new List<RowEvaluation>();
            for (int seed = 1; seed <= options.Seeds; seed++)
                evaluations.Add(EnsureEvaluated(row, seed, options, validation, runs, progress, cancellation));
            double training = Enumerable.Range(1, options.Seeds).Average(seed => row.Models.Sum(m => runs[(m, seed)].TrainingSeconds));
            rows.Add(new RowResult(row, evaluations, training));
        }

        var result = new StudyResult(table, options, rows, [.. runs.Values], StudyConclusions.From(rows), DescribeMachine(), stopwatch.Elapsed.TotalSeconds,
            Path.Combine(options.OutputDirectory, StudyReport.HtmlFileName(table)), Path.Combine(options.OutputDirectory, StudyReport.MarkdownFileName(table)));
        StudyReport.Write(result);
        return result;
    }

    /// <summary>The run directory of <paramref name="variant"/> with <paramref name="seed"/> in the study of <paramref name="options"/>.</summary>
    public static string RunDirectory(ExperimentOptions options, ModelVariant variant, int seed) =>
        Path.Combine(options.OutputDirectory, RunsFolder, variant.RunName(seed, options.Init));

    /// <summary>Reuses the finished run, resumes the interrupted one, or starts it.</summary>
    private static StudyRunRecord EnsureTrained(ModelVariant variant, int seed, ExperimentOptions options,
        (IImageDataset Train, IImageDataset Validation) data, Lazy<ChannelStatistics> statistics,
        IProgress<TrainingProgress>? progress, CancellationToken cancellation)
    {
        string directory = RunDirectory(options, variant, seed);
        bool reused = File.Exists(Path.Combine(directory, Trainer.ModelFileName));
        if (reused)
        {
            Say(progress, $"Reusing the finished run {directory}.");
        }
        else if (Checkpoint.Exists(directory))
        {
            TrainingLaunch.Resume(directory, progress, cancellation, data: data);
        }
        else
        {
            string? initFrom = null;
            if (!variant.AlwaysRandom && options.Init == StudyInit.WarmStart)
                initFrom = Path.Combine(RunDirectory(options, ModelVariant.WarmStartSource, seed), Trainer.ModelFileName);
            TrainingLaunch.Start(options.TrainingOptionsFor(variant, seed, directory, initFrom) with { Statistics = statistics.Value }, progress, cancellation, data: data);
        }
        var epochs = new MetricsLog(directory).Read();
        return new StudyRunRecord(variant, seed, directory, epochs.Count, epochs.Sum(e => e.Seconds + (e.ValidationSeconds ?? 0)), reused);
    }

    /// <summary>Reads the kept evaluation of <paramref name="row"/> for <paramref name="seed"/>, or evaluates it and keeps it.</summary>
    private static RowEvaluation EnsureEvaluated(StudyRow row, int seed, ExperimentOptions options, IImageDataset validation,
        Dictionary<(ModelVariant, int), StudyRunRecord> runs, IProgress<TrainingProgress>? progress, CancellationToken cancellation)
    {
        string folder = Path.Combine(options.OutputDirectory, EvaluationsFolder);
        int? limit = options.EffectiveEvaluationLimit;
        string path = Path.Combine(folder, $"{row.Id}{(options.Init == StudyInit.Glorot ? "-glorot" : "")}{(limit is { } n ? $"-first{n}" : "")}-seed{seed}.json");
        if (TryReadEvaluation(path, seed, progress) is { } kept) return kept;

        cancellation.ThrowIfCancellationRequested();
        Say(progress, $"Evaluating {row.LabelForCrop(options.CropSize)} ({row.ProtocolName}), seed {seed}.");
        var models = new List<VggModel>();
        try
        {
            foreach (var variant in row.Models) models.Add(VggModelFile.Load(Path.Combine(runs[(variant, seed)].RunDirectory, Trainer.ModelFileName)));
            var evaluationOptions = new EvaluationOptions
            {
                Protocol = row.Protocol, Scales = row.TestScales(options.CropSize), BatchSize = options.EvaluationBatch, Limit = limit,
            };
            var result = Evaluator.Evaluate(models, validation, evaluationOptions, cancellation: cancellation);
            var evaluation = new RowEvaluation(seed, result.Top1Error, result.Top5Error, result.Count, result.Seconds);
            Directory.CreateDirectory(folder);
            byte[] json = JsonSerializer.SerializeToUtf8Bytes(evaluation, PersistedJson.Default.RowEvaluation);
            AtomicFile.Write(path, stream => stream.Write(json));
            return evaluation;
        }
        finally
        {
            models.ForEach(model => model.Dispose());
        }
    }

    /// <summary>The evaluation kept in <paramref name="path"/>; null when there is none or it cannot be trusted (it is then done again).</summary>
    private static RowEvaluation? TryReadEvaluation(string path, int seed, IProgress<TrainingProgress>? progress)
    {
        if (!File.Exists(path)) return null;
        try
        {
            var evaluation = JsonSerializer.Deserialize(ReadSmallFile(path), PersistedJson.Default.RowEvaluation);
            if (evaluation is { Top1Error: >= 0 and <= 1, Top5Error: >= 0 and <= 1, Images: >= 0, Seconds: >= 0 } && evaluation.Seed == seed
                && evaluation.Top5Error <= evaluation.Top1Error)
                return evaluation;
            Say(progress, $"{path} holds values no evaluation gives; evaluating again.");
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            Say(progress, $"{path} is not an evaluation ({e.Message}); evaluating again.");
        }
        return null;
    }

    /// <summary>Records the settings in a new study directory, or checks that they are those it was started with.</summary>
    private static void CheckSettings(ExperimentOptions options)
    {
        var settings = StudySettings.From(options);
        string path = Path.Combine(options.OutputDirectory, StudySettings.FileName);
        if (File.Exists(path))
        {
            StudySettings? stored;
            try
            {
                stored = JsonSerializer.Deserialize(ReadSmallFile(path), PersistedJson.Default.StudySettings);
            }
            catch (Exception e) when (e is JsonException or InvalidDataException)
            {
                throw new InvalidDataException($"{path} is not a study's settings: {e.Message}");
            }
            if (stored != settings)
                throw new ArgumentException($"{options.OutputDirectory} holds a study with other settings ({Describe(stored)}); "
                    + $"give the same ones ({Describe(settings)} now) or choose another output directory.");
            return;
        }
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(settings, PersistedJson.Default.StudySettings);
        AtomicFile.Write(path, stream => stream.Write(json));
    }

    private static string Describe(StudySettings? s) => s is null ? "none" :
        FormattableString.Invariant($"data {s.Data}, width {s.Width}, {s.Epochs} epochs, crop {s.CropSize}, head {s.Head}, lr {s.LearningRate}, batch {s.BatchSize}, limit {s.Limit?.ToString() ?? "none"}, val-limit {s.ValidationLimit?.ToString() ?? "none"}");

    private static string ReadSmallFile(string path)
    {
        long length = new FileInfo(path).Length;
        if (length > MaxRecordBytes) throw new InvalidDataException($"it is {length} bytes, more than a record's {MaxRecordBytes}");
        return File.ReadAllText(path, Encoding.UTF8);
    }

    /// <summary>The processor, cores and device the networks ran on, in words.</summary>
    private static string DescribeMachine()
    {
        string cpu = RuntimeInformation.ProcessArchitecture.ToString();
        try
        {
            if (File.Exists("/proc/cpuinfo"))
            {
                string? model = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
                if (model is not null) cpu = model[(model.IndexOf(':') + 1)..].Trim();
            }
        }
        catch (IOException)
        {
            // The architecture alone describes the machine well enough.
        }
        return $"{cpu}, {Environment.ProcessorCount} logical cores, {RuntimeInformation.OSDescription}; networks on {Backends.Default.Device}";
    }

    private static void Say(IProgress<TrainingProgress>? progress, string text) => progress?.Report(new TrainingProgress.Message(text));
}
