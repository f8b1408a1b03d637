using System.Text.Json;
using System.Text.Json.Serialization;
using VggSharp.Evaluation;

namespace VggSharp.Cli.Output;

/// <summary>
/// What "vggsharp eval" reports: the protocol and scales, the models, and the errors as fractions. Printed as text, or
/// as one JSON object; <see cref="Scales"/> is every scale any model ran at (each model's own are under
/// <see cref="Models"/>).
/// </summary>
internal sealed record EvaluationReport(
    string Protocol,
    int[] Scales,
    IReadOnlyList<EvaluatedModel> Models,
    string Data,
    int Classes,
    int Images,
    int Skipped,
    double Top1Error,
    double Top5Error,
    double Seconds,
    double ImagesPerSecond,
    IReadOnlyList<SkippedImage> SkippedImages)
{
    private static readonly EvaluationReportJsonContext Json = new(CliJson.Options());

    /// <summary>The report of <paramref name="result"/>.</summary>
    public static EvaluationReport Of(EvaluationResult result, EvaluationOptions options, IReadOnlyList<EvaluatedModel> models, string data) => new(
        Options.EvaluationArguments.NameOf(options.Protocol),
        [.. models.SelectMany(m => m.Scales).Distinct().Order()],
        models,
        data,
        result.Confusion.Classes,
        result.Count,
        result.BadImages.Count,
        result.Top1Error,
        result.Top5Error,
        result.Seconds,
        result.Seconds > 0 ? result.Count / result.Seconds : 0,
        [.. result.BadImages.Select(b => new SkippedImage(b.Index, b.Source, b.Reason))]);

    /// <summary>Writes one indented JSON object followed by a newline.</summary>
    public void WriteJson(TextWriter writer) => writer.WriteLine(JsonSerializer.Serialize(this, Json.EvaluationReport));

    /// <summary>Writes the report as aligned lines for people.</summary>
    public void WriteText(TextWriter writer)
    {
        foreach (var model in Models)
            writer.WriteLine(FormattableString.Invariant($"Model        {model.Path} (configuration {model.Configuration}, input {model.InputSize}, scales {string.Join(",", model.Scales)})"));
        writer.WriteLine(FormattableString.Invariant($"Data         {Data} ({Classes} classes)"));
        writer.WriteLine(FormattableString.Invariant($"Protocol     {Protocol}{(Models.Count > 1 ? $", an ensemble of {Models.Count} models" : "")}"));
        writer.WriteLine(FormattableString.Invariant($"Images       {Images}{(Skipped > 0 ? $" ({Skipped} skipped)" : "")}"));
        writer.WriteLine(FormattableString.Invariant($"Top-1 error  {Top1Error * 100:0.00}% ({Top1Error:0.0000})"));
        writer.WriteLine(FormattableString.Invariant($"Top-5 error  {Top5Error * 100:0.00}% ({Top5Error:0.0000})"));
        writer.WriteLine(FormattableString.Invariant($"Time         {Seconds:0.0} s ({ImagesPerSecond:0.0} images/s)"));
    }
}

/// <summary>One model of an <see cref="EvaluationReport"/>: its file, architecture and the scales it ran at.</summary>
internal sealed record EvaluatedModel(string Path, string Configuration, int InputSize, int[] Scales);

/// <summary>An image that could not be decoded and was left out.</summary>
internal sealed record SkippedImage(int Index, string Source, string Reason);

/// <summary>Compile-time serialisation metadata for <see cref="EvaluationReport"/>.</summary>
[JsonSerializable(typeof(EvaluationReport))]
internal sealed partial class EvaluationReportJsonContext : JsonSerializerContext;
