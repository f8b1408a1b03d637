using VggSharp.Evaluation;

namespace VggSharp.Experiments;

/// <summary>
/// One row of a paper table: the models evaluated together (one, or an ensemble), at one test scale or several, under
/// one protocol, with the paper's errors for it. A study evaluates the row once per seed.
/// </summary>
/// <param name="Table">The table the row belongs to.</param>
/// <param name="Models">The model, or the ensemble's models, each trained once per seed.</param>
/// <param name="MultipleTestScales">Several test scales (Table 4 on) rather than one (Table 3).</param>
/// <param name="Protocol">The test protocol.</param>
/// <param name="Paper">The paper's ImageNet errors for this row.</param>
public sealed record StudyRow(PaperTable Table, IReadOnlyList<ModelVariant> Models, bool MultipleTestScales, EvaluationProtocol Protocol, PaperError Paper)
{
    /// <summary>The paper's notation: "D/[256;512]/256,384,512", models joined by " + " for an ensemble.</summary>
    public string Label => string.Join(" + ", Models.Select(m => $"{m.Label}/{string.Join(',', TestScales(m.Scale, TrainingScale.PaperCropSize))}"));

    /// <summary>The protocol as the paper's tables write it: "dense", "multi-crop" or "multi-crop &amp; dense".</summary>
    public string ProtocolName => Protocol switch
    {
        EvaluationProtocol.Center => "centre crop",
        EvaluationProtocol.Dense => "dense",
        EvaluationProtocol.MultiCrop => "multi-crop",
        _ => "multi-crop & dense",
    };

    /// <summary>The label with the protocol, which tells apart Table 5's and 6's rows: "D/[256;512]/256,384,512, dense".</summary>
    public string Name => $"{Label}, {ProtocolName}";

    /// <summary>The same in a study's scales, for crops of <paramref name="cropSize"/>: "D/[37;73]/37,55,73".</summary>
    public string LabelForCrop(int cropSize) =>
        string.Join(" + ", Models.Select(m => $"{m.Configuration}/{m.Scale.LabelForCrop(cropSize)}/{string.Join(',', TestScales(m.Scale, cropSize))}"));

    /// <summary>A name for the row's files: "table4-d-256_512-multi-dense".</summary>
    public string Id =>
        $"{Table}-{string.Join('+', Models.Select(m => $"{m.Configuration}-{m.Scale.FileLabel}"))}-{(MultipleTestScales ? "multi" : "single")}-{Protocol}".ToLowerInvariant();

    /// <summary>The test scales Q of the row's first model (an ensemble's models share their training scale), for crops of <paramref name="cropSize"/>.</summary>
    public int[] TestScales(int cropSize) => TestScales(Models[0].Scale, cropSize);

    /// <summary>
    /// The paper's test scales for <paramref name="scale"/> in proportion to <paramref name="cropSize"/>: one scale is Q = S
    /// for a fixed S and the middle of a jittered range (section 4.1); several are {S - 32, S, S + 32} or {Smin, middle, Smax}
    /// (section 4.2, <see cref="EvaluationOptions.DefaultScales"/>).
    /// </summary>
    private int[] TestScales(TrainingScale scale, int cropSize)
    {
        var (min, max) = scale.ForCrop(cropSize);
        return MultipleTestScales ? EvaluationOptions.DefaultScales(min, max, cropSize) : [(min + max) / 2];
    }
}
