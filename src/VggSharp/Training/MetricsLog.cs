using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using VggSharp.Interop;

namespace VggSharp.Training;

/// <summary>
/// The run's per-epoch log, metrics.jsonl in the run directory: one JSON object per line (<see cref="EpochMetrics"/>),
/// each flushed to disk as it is appended, so a crash loses at most the line being written. A loss that diverged to
/// NaN or infinity is written as the string "NaN" or "Infinity", since JSON has no such numbers.
/// </summary>
public sealed class MetricsLog
{
    /// <summary>The log's file name in the run directory.</summary>
    public const string FileName = "metrics.jsonl";

    private static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        RespectRequiredConstructorParameters = true,
        TypeInfoResolver = PersistedJson.Default,
    };

    /// <summary>
    /// Opens (and creates if needed) the log in <paramref name="runDirectory"/>. A last line left incomplete by a crash
    /// is removed, so the next line starts cleanly.
    /// </summary>
    public MetricsLog(string runDirectory)
    {
        FileErrors.CreateDirectory(runDirectory);
        Path = System.IO.Path.Combine(runDirectory, FileName);
        if (!File.Exists(Path)) return;
        byte[] content = RegularFile.ReadAllBytes(Path);
        int end = Array.LastIndexOf(content, (byte)'\n') + 1;
        if (end != content.Length) AtomicFile.Write(Path, stream => stream.Write(content, 0, end));
    }

    /// <summary>The log file.</summary>
    public string Path { get; }

    /// <summary>Appends one epoch's line and flushes it to disk.</summary>
    public void Append(EpochMetrics metrics)
    {
        metrics.Validate();
        byte[] line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(metrics, PersistedJson.Of<EpochMetrics>(Json)) + "\n");
        using var stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read);
        stream.Write(line);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Every complete line, in order; a malformed line is a <see cref="FormatException"/> naming its line number.</summary>
    public IReadOnlyList<EpochMetrics> Read()
    {
        if (!File.Exists(Path)) return [];
        var lines = Encoding.UTF8.GetString(RegularFile.ReadAllBytes(Path)).Split('\n');
        var epochs = new List<EpochMetrics>(lines.Length);
        // The text after the last newline is empty, or a line still being written by another process.
        for (int i = 0; i < lines.Length - 1; i++)
        {
            if (lines[i].Length == 0) continue;
            try
            {
                epochs.Add(JsonSerializer.Deserialize(lines[i], PersistedJson.Of<EpochMetrics>(Json)) ?? throw new JsonException("the line is null"));
            }
            catch (JsonException e)
            {
                throw new FormatException($"{Path} line {i + 1} is not an epoch's metrics: {e.Message}", e);
            }
        }
        return epochs;
    }

    /// <summary>
    /// Drops the lines of epochs after <paramref name="epoch"/>, rewriting the file atomically, so that a run resumed
    /// from the checkpoint after that epoch logs each later epoch once. 0 empties the log.
    /// </summary>
    public void DropAfter(int epoch)
    {
        var kept = Read().Where(m => m.Epoch <= epoch).ToList();
        AtomicFile.Write(Path, stream =>
        {
            foreach (var metrics in kept) stream.Write(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(metrics, PersistedJson.Of<EpochMetrics>(Json)) + "\n"));
        });
    }
}
