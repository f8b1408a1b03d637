using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using VggSharp.Transfer;

namespace VggSharp.Cli.Output;

/// <summary>
/// What "vggsharp transfer" reports: the settings, each split's C and results, each class's means over the splits, and
/// the means and standard deviations over the splits; fractions, not percentages. Undefined values (a class without
/// test images has no AP) are null in JSON.
/// </summary>
internal sealed record TransferSummary(
    IReadOnlyList<string> Models,
    string Train,
    string Test,
    string Layer,
    IReadOnlyList<int[]> Scales,
    string Aggregate,
    bool Flip,
    int? PerClass,
    int FeatureDimension,
    int TestImages,
    int Skipped,
    double? MeanClassRecall,
    double? MeanClassRecallStd,
    double? MapElevenPoint,
    double? MapElevenPointStd,
    double? MapArea,
    double? MapAreaStd,
    IReadOnlyList<TransferSplitSummary> Splits,
    IReadOnlyList<TransferClassSummary> Classes,
    double FeatureSeconds,
    double SvmSeconds)
{
    private static readonly TransferSummaryJsonContext Json = new(CliJson.Options());

    /// <summary>The summary of <paramref name="result"/>.</summary>
    public static TransferSummary Of(TransferResult result, IReadOnlyList<string> models, string train, string test, TransferOptions options)
    {
        var (recall, recallSd) = result.MeanClassRecall;
        var (eleven, elevenSd) = result.MeanElevenPointAp;
        var (area, areaSd) = result.MeanAreaAp;
        var splits = result.Splits.Select(s => new TransferSplitSummary(s.Split, s.TrainImages, s.C, s.CrossValidationScores?.ToArray(),
            Defined(s.MeanClassRecall), Defined(s.MeanElevenPointAp), Defined(s.MeanAreaAp))).ToList();
        var classes = result.ClassNames.Select((name, c) => new TransferClassSummary(name,
            MeanOf(result.Splits.Select(s => s.Confusion.ClassAccuracy(c) ?? double.NaN)),
            MeanOf(result.Splits.Select(s => s.ElevenPointAp[c])), MeanOf(result.Splits.Select(s => s.AreaAp[c])))).ToList();
        return new TransferSummary(models, train, test, options.Features.Layer, result.Scales, options.Features.Aggregation.ToString().ToLowerInvariant(),
            options.Features.Flip, options.PerClass, result.FeatureDimension, result.TestImages, result.BadImages.Count,
            Defined(recall), Defined(recallSd), Defined(eleven), Defined(elevenSd), Defined(area), Defined(areaSd), splits, classes,
            result.FeatureSeconds, result.SvmSeconds);
    }

    /// <summary>Writes one indented JSON object followed by a newline.</summary>
    public void WriteJson(TextWriter writer) => writer.WriteLine(JsonSerializer.Serialize(this, Json.TransferSummary));

    /// <summary>Writes the report as aligned lines for people.</summary>
    public void WriteText(TextWriter writer)
    {
        foreach (string model in Models) writer.WriteLine($"Model              {model}");
        writer.WriteLine($"Data               train {Train}, test {Test} ({Classes.Count} classes, {TestImages} test images{(Skipped > 0 ? $", {Skipped} skipped" : "")})");
        writer.WriteLine(Invariant($"Features           {Layer}, {FeatureDimension} values, scales {string.Join(" | ", Scales.Select(s => string.Join(",", s)))} ({Aggregate}{(Flip ? ", with flips" : "")})"));
        foreach (var split in Splits)
            writer.WriteLine(Invariant($"Split {split.Split,-4}         {split.TrainImages} training images, C = {split.C:G4}: mean class recall {Percent(split.MeanClassRecall)}, mAP {Percent(split.MapElevenPoint)} (11-point), {Percent(split.MapArea)} (area)"));
        writer.WriteLine(Invariant($"Mean class recall  {Percent(MeanClassRecall)} ± {Percent(MeanClassRecallStd)}{(PerClass is { } n ? $" ({n} per class, {Splits.Count} splits)" : "")}"));
        writer.WriteLine(Invariant($"mAP                {Percent(MapElevenPoint)} ± {Percent(MapElevenPointStd)} (VOC-2007 11-point), {Percent(MapArea)} ± {Percent(MapAreaStd)} (area under the curve)"));
        writer.WriteLine(Invariant($"Time               {FeatureSeconds:0.0} s features, {SvmSeconds:0.0} s SVMs"));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Percent(double? fraction) => fraction is { } f ? (f * 100).ToString("0.00", CultureInfo.InvariantCulture) + "%" : "n/a";

    private static double? Defined(double value) => double.IsNaN(value) ? null : value;

    private static double? MeanOf(IEnumerable<double> values)
    {
        var defined = values.Where(v => !double.IsNaN(v)).ToList();
        return defined.Count == 0 ? null : defined.Average();
    }
}

/// <summary>One split of a <see cref="TransferSummary"/>; cross_validation holds the mean class recall of each C of the grid when C was chosen.</summary>
internal sealed record TransferSplitSummary(int Split, int TrainImages, double C, double[]? CrossValidation, double? MeanClassRecall, double? MapElevenPoint, double? MapArea);

/// <summary>One class of a <see cref="TransferSummary"/>: its recall and APs, averaged over the splits.</summary>
internal sealed record TransferClassSummary(string Name, double? Recall, double? ApElevenPoint, double? ApArea);

/// <summary>Compile-time serialisation metadata for <see cref="TransferSummary"/>.</summary>
[JsonSerializable(typeof(TransferSummary))]
internal sealed partial class TransferSummaryJsonContext : JsonSerializerContext;
