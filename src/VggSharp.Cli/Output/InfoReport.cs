using System.Text.Json;
using System.Text.Json.Serialization;
using VggSharp.Models;

namespace VggSharp.Cli.Output;

/// <summary>The JSON form of "vggsharp info": the architecture, its totals for one image, and one entry per layer.</summary>
internal sealed record InfoReport(
    string Configuration,
    int WeightLayers,
    bool BatchNorm,
    int[] Input,
    int Classes,
    double WidthMultiplier,
    string Head,
    int HiddenUnits,
    long Parameters,
    long Macs,
    long ActivationBytes,
    IReadOnlyList<LayerReport> Layers)
{
    private static readonly InfoReportJsonContext Json = new(CliJson.Options());

    /// <summary>The report of <paramref name="summary"/>, a summary of <paramref name="model"/>.</summary>
    public static InfoReport Of(VggModel model, ModelSummary summary)
    {
        var options = model.Options;
        var layers = summary.Layers.Select(l => new LayerReport(l.Name, l.Role, l.Description,
            l.OutputShape.Dimensions[1..].ToArray(), l.Parameters, l.MultiplyAdds, l.ActivationBytes)).ToList();
        return new InfoReport(model.Configuration.Name, model.Configuration.WeightLayers, model.Configuration.BatchNorm,
            summary.InputShape.Dimensions[1..].ToArray(), options.Classes, options.WidthMultiplier,
            options.Head.ToString().ToLowerInvariant(), options.EffectiveHiddenUnits,
            summary.Parameters, summary.MultiplyAdds, summary.ActivationBytes, layers);
    }

    /// <summary>Writes the report as one indented JSON object followed by a newline.</summary>
    public void WriteTo(TextWriter writer) => writer.WriteLine(JsonSerializer.Serialize(this, Json.InfoReport));
}

/// <summary>One layer of an <see cref="InfoReport"/>; the output shape is for one image.</summary>
internal sealed record LayerReport(string Name, string Role, string Description, int[] OutputShape, long Parameters,
    long Macs, long ActivationBytes);

/// <summary>Compile-time serialisation metadata for <see cref="InfoReport"/>.</summary>
[JsonSerializable(typeof(InfoReport))]
internal sealed partial class InfoReportJsonContext : JsonSerializerContext;
