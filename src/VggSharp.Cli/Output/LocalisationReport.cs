using System.Text.Json;
using System.Text.Json.Serialization;

namespace VggSharp.Cli.Output;

/// <summary>What "vggsharp eval --task localisation" reports.</summary>
internal sealed record LocalisationReport(string Model, string? Classifier, string Protocol, int[] Scales, string Data, int Images,
    double? Top1LocalisationError, double? Top5LocalisationError, double GroundTruthClassError, double Seconds)
{
    private static readonly LocalisationReportJsonContext Json = new(CliJson.Options(omitNulls: true));

    /// <summary>Writes one indented JSON object followed by a newline.</summary>
    public void WriteJson(TextWriter writer) => writer.WriteLine(JsonSerializer.Serialize(this, Json.LocalisationReport));

    /// <summary>Writes the figures as lines of text.</summary>
    public void WriteText(TextWriter writer)
    {
        writer.WriteLine($"Localisation of {Model}{(Classifier is null ? "" : $" with classes from {Classifier}")}");
        writer.WriteLine($"  data {Data}, {Images} images, protocol {Protocol}, scales {string.Join(",", Scales)}");
        if (Top1LocalisationError is { } top1) writer.WriteLine(FormattableString.Invariant($"  top-1 localisation error  {top1:P2}"));
        if (Top5LocalisationError is { } top5) writer.WriteLine(FormattableString.Invariant($"  top-5 localisation error  {top5:P2}"));
        writer.WriteLine(FormattableString.Invariant($"  error with the ground-truth class  {GroundTruthClassError:P2}"));
        writer.WriteLine(FormattableString.Invariant($"  {Seconds:0.0} s"));
    }
}

/// <summary>Compile-time serialisation metadata for <see cref="LocalisationReport"/>.</summary>
[JsonSerializable(typeof(LocalisationReport))]
internal sealed partial class LocalisationReportJsonContext : JsonSerializerContext;
