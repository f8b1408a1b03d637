using System.Text.Json;
using System.Text.Json.Serialization;

namespace VggSharp.Cli.Output;

/// <summary>What "vggsharp predict" reports: for each image its most probable classes, or why it could not be read.</summary>
internal sealed record PredictionReport(string Protocol, int[] Scales, IReadOnlyList<string> Models, IReadOnlyList<ImagePrediction> Predictions)
{
    private static readonly PredictionReportJsonContext Json = new(CliJson.Options(omitNulls: true));

    /// <summary>Writes one indented JSON object followed by a newline.</summary>
    public void WriteJson(TextWriter writer) => writer.WriteLine(JsonSerializer.Serialize(this, Json.PredictionReport));

    /// <summary>Writes each image that could be read, then its classes by rank with their probabilities.</summary>
    public void WriteText(TextWriter writer)
    {
        foreach (var prediction in Predictions.Where(p => p.Top is not null))
        {
            writer.WriteLine(prediction.Image);
            int width = prediction.Top!.Max(c => c.Name.Length);
            foreach (var (rank, top) in prediction.Top!.Index())
                writer.WriteLine(FormattableString.Invariant($"  {rank + 1,2}. {top.Name.PadRight(width)}  {top.Probability:0.0000}"));
        }
    }
}

/// <summary>One image's most probable classes, best first; or, for an image that could not be read, the error.</summary>
internal sealed record ImagePrediction(string Image, IReadOnlyList<ClassProbability>? Top, string? Error);

/// <summary>A class (its label and name) and its probability.</summary>
internal sealed record ClassProbability(int Class, string Name, double Probability);

/// <summary>Compile-time serialisation metadata for <see cref="PredictionReport"/>.</summary>
[JsonSerializable(typeof(PredictionReport))]
internal sealed partial class PredictionReportJsonContext : JsonSerializerContext;
