using System.Text.Json;
using System.Text.Json.Serialization;

namespace VggSharp.Cli.Output;

/// <summary>What "vggsharp predict --task localisation" reports: for each image its classes with their boxes, or why it could not be read.</summary>
internal sealed record BoxPredictionReport(string Model, string? Classifier, IReadOnlyList<ImageBoxes> Predictions)
{
    private static readonly BoxPredictionReportJsonContext Json = new(CliJson.Options(omitNulls: true));

    /// <summary>Writes one indented JSON object followed by a newline.</summary>
    public void WriteJson(TextWriter writer) => writer.WriteLine(JsonSerializer.Serialize(this, Json.BoxPredictionReport));

    /// <summary>Writes each image that could be read, then its classes by rank with their probabilities and boxes.</summary>
    public void WriteText(TextWriter writer)
    {
        foreach (var prediction in Predictions.Where(p => p.Boxes is not null))
        {
            writer.WriteLine(prediction.Drawn is null ? prediction.Image : $"{prediction.Image} (drawn: {prediction.Drawn})");
            int width = prediction.Boxes!.Max(c => c.Name.Length);
            foreach (var (rank, box) in prediction.Boxes!.Index())
                writer.WriteLine(FormattableString.Invariant(
                    $"  {rank + 1,2}. {box.Name.PadRight(width)}  {box.Probability:0.0000}  box [{box.Box[0]:0.0}, {box.Box[1]:0.0}, {box.Box[2]:0.0}, {box.Box[3]:0.0}]"));
        }
    }
}

/// <summary>One image's classes and boxes, best first; or, for an image that could not be read, the error.</summary>
internal sealed record ImageBoxes(string Image, IReadOnlyList<ClassBoxOutput>? Boxes, string? Error, string? Drawn);

/// <summary>A class, its probability (1 without a classifier), its box (left, top, right, bottom in pixels) and the box's merged confidence.</summary>
internal sealed record ClassBoxOutput(int Class, string Name, double Probability, double[] Box, double BoxScore);

/// <summary>Compile-time serialisation metadata for <see cref="BoxPredictionReport"/>.</summary>
[JsonSerializable(typeof(BoxPredictionReport))]
internal sealed partial class BoxPredictionReportJsonContext : JsonSerializerContext;
