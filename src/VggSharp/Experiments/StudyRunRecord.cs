namespace VggSharp.Experiments;

/// <summary>One trained network of a study: a variant and seed, its run directory and what training it cost.</summary>
/// <param name="Variant">The configuration and training scale.</param>
/// <param name="Seed">The seed.</param>
/// <param name="RunDirectory">The run directory (checkpoint, metrics.jsonl, report.html, model.safetensors).</param>
/// <param name="Epochs">Epochs trained.</param>
/// <param name="TrainingSeconds">Seconds of training and per-epoch validation, from metrics.jsonl (over every session of a resumed run).</param>
/// <param name="Reused">Whether the run had finished before this study started and was reused.</param>
public sealed record StudyRunRecord(ModelVariant Variant, int Seed, string RunDirectory, int Epochs, double TrainingSeconds, bool Reused);
