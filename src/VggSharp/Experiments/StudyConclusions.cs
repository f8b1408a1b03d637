using VggSharp.Evaluation;

namespace VggSharp.Experiments;

/// <summary>
/// The paper's conclusions (section 4) that a study's rows can test: each becomes a <see cref="Conclusion"/> when
/// every row it compares was evaluated, and is left out otherwise (Table 3's study cannot judge test scales).
/// </summary>
public static class StudyConclusions
{
    /// <summary>The conclusions <paramref name="rows"/> can test, in the order the paper draws them.</summary>
    public static IReadOnlyList<Conclusion> From(IReadOnlyList<RowResult> rows)
    {
        RowResult? Find(PaperTable table, string configuration, TrainingScale scale, EvaluationProtocol protocol = EvaluationProtocol.Dense) =>
            rows.FirstOrDefault(r => r.Row.Table == table && r.Row.Protocol == protocol && r.Row.Models.Count == 1
                && r.Row.Models[0] == new ModelVariant(configuration, scale));
        RowResult? Ensemble(EvaluationProtocol protocol) =>
            rows.FirstOrDefault(r => r.Row.Table == PaperTable.Table6 && r.Row.Protocol == protocol);

        TrainingScale s256 = TrainingScale.Fixed256, s384 = TrainingScale.Fixed384, jitter = TrainingScale.Jittered;
        const PaperTable T3 = PaperTable.Table3, T4 = PaperTable.Table4, T5 = PaperTable.Table5;
        EvaluationProtocol[] protocols = [EvaluationProtocol.Dense, EvaluationProtocol.MultiCrop, EvaluationProtocol.DenseAndMultiCrop];
        string[] deep = ["C", "D", "E"];
        var claims = new List<(string Claim, (RowResult? Better, RowResult? Worse)[] Pairs, bool NoWorse)>
        {
            ("Local response normalisation does not help: A-LRN is no better than A (Table 3).",
                [(Find(T3, "A", s256), Find(T3, "A-LRN", s256))], true),
            ("Error falls with depth, A (11 layers) to B (13), D (16) and E (19), at S = 256 (Table 3).",
                [(Find(T3, "B", s256), Find(T3, "A", s256)), (Find(T3, "D", s256), Find(T3, "B", s256)), (Find(T3, "E", s256), Find(T3, "D", s256))], false),
            ("The deepest net is the best: E beats D with S in [256;512] (Table 3).",
                [(Find(T3, "E", jitter), Find(T3, "D", jitter))], false),
            ("C (with 1x1 convolutions) is worse than D (3x3) at every training scale (Table 3).",
                [.. new[] { s256, s384, jitter }.Select(s => (Find(T3, "D", s), Find(T3, "C", s)))], false),
            ("Scale jittering at training beats both fixed scales, for C, D and E (Table 3).",
                [.. deep.SelectMany(c => new[] { (Find(T3, c, jitter), Find(T3, c, s256)), (Find(T3, c, jitter), Find(T3, c, s384)) })], false),
            ("Several test scales beat one, for B to E at every training scale (Table 4 against Table 3).",
                [(Find(T4, "B", s256), Find(T3, "B", s256)), .. deep.SelectMany(c => new[] { s256, s384, jitter }.Select(s => (Find(T4, c, s), Find(T3, c, s))))], false),
            ("Multi-crop and dense evaluation are complementary: their combination beats each, for D and E (Table 5).",
                [.. new[] { "D", "E" }.SelectMany(c => new[]
                {
                    (Find(T5, c, jitter, EvaluationProtocol.DenseAndMultiCrop), Find(T5, c, jitter)),
                    (Find(T5, c, jitter, EvaluationProtocol.DenseAndMultiCrop), Find(T5, c, jitter, EvaluationProtocol.MultiCrop)),
                })], false),
            ("An ensemble of D and E beats either under each protocol (Table 6 against Table 5).",
                [.. protocols.SelectMany(p => new[] { (Ensemble(p), Find(T5, "D", jitter, p)), (Ensemble(p), Find(T5, "E", jitter, p)) })], false),
        };
        return claims.Where(c => c.Pairs.All(p => p.Better is not null && p.Worse is not null))
            .Select(c => new Conclusion(c.Claim, [.. c.Pairs.Select(p => Comparison.Of(p.Better!, p.Worse!))], c.NoWorse))
            .ToList();
    }
}
