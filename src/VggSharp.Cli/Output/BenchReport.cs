using System.Text.Json;
using System.Text.Json.Serialization;
using VggSharp.Benchmarking;
using VggSharp.Models;

namespace VggSharp.Cli.Output;

/// <summary>The JSON form of "vggsharp bench": the network, how it ran, the throughput, the machine's peak and the per-layer times.</summary>
internal sealed record BenchReport(
    string Configuration,
    int[] Input,
    int Classes,
    double WidthMultiplier,
    string Head,
    string Mode,
    int Batch,
    string Device,
    int Threads,
    int Warmup,
    int Iterations,
    IReadOnlyList<double> Seconds,
    double MedianSeconds,
    double ImagesPerSecond,
    long FlopsPerIteration,
    double GflopsPerSecond,
    PeakThroughput? Peak,
    double? FractionOfPeak,
    double LossMs,
    double UpdateMs,
    IReadOnlyList<LayerTimeReport> Layers)
{
    private static readonly BenchReportJsonContext Json = new(CliJson.Options());

    /// <summary>
    /// The report of <paramref name="result"/>, measured on <paramref name="model"/> with <paramref name="threads"/> threads,
    /// and, on the CPU, the machine's FMA <paramref name="peak"/> (null on a GPU, whose peak the CPU probe does not measure).
    /// </summary>
    public static BenchReport Of(VggModel model, ModelBenchmarkResult result, int threads, PeakThroughput? peak)
    {
        var options = model.Options;
        var run = result.Options;
        var layers = result.Layers.Select(l => new LayerTimeReport(l.Name, l.Role, l.Description, l.MultiplyAdds,
            l.Forward.TotalMilliseconds, l.BackwardData.TotalMilliseconds, l.BackwardFilter.TotalMilliseconds)).ToList();
        return new BenchReport(model.Configuration.Name, [options.InputChannels, options.InputSize, options.InputSize], options.Classes,
            options.WidthMultiplier, options.Head.ToString().ToLowerInvariant(), run.Mode.ToString().ToLowerInvariant(), run.Batch,
            model.Network.Backend.Device.ToString(), threads,
            run.Warmup, run.Iterations, result.Seconds, result.MedianSeconds, result.ImagesPerSecond, result.FlopsPerIteration,
            result.GflopsPerSecond, peak, result.GflopsPerSecond / peak?.AllThreadsGflops,
            result.Loss.TotalMilliseconds, result.Update.TotalMilliseconds, layers);
    }

    /// <summary>Writes the report as one indented JSON object followed by a newline.</summary>
    public void WriteJson(TextWriter writer) => writer.WriteLine(JsonSerializer.Serialize(this, Json.BenchReport));

    /// <summary>Writes a peak probe alone as {"peak": {...}}, the same key as in a full report.</summary>
    public static void WritePeakJson(PeakThroughput peak, TextWriter writer) =>
        writer.WriteLine(JsonSerializer.Serialize(new PeakOnlyReport(peak), Json.PeakOnlyReport));
}

/// <summary>The output of "vggsharp bench --peak --json".</summary>
internal sealed record PeakOnlyReport(PeakThroughput Peak);

/// <summary>One layer of a <see cref="BenchReport"/>: its multiply-adds for the batch and its mean milliseconds per iteration.</summary>
internal sealed record LayerTimeReport(string Name, string Role, string Description, long Macs, double ForwardMs, double BackwardDataMs,
    double BackwardFilterMs);

/// <summary>Compile-time serialisation metadata for <see cref="BenchReport"/>.</summary>
[JsonSerializable(typeof(BenchReport))]
[JsonSerializable(typeof(PeakOnlyReport))]
internal sealed partial class BenchReportJsonContext : JsonSerializerContext;
