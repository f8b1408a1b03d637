namespace VggSharp.Experiments;

/// <summary>One trained network of a study, before seeds: a configuration at a training scale, e.g. D at [256;512].</summary>
/// <param name="Configuration">The configuration: A, A-LRN, B, C, D or E.</param>
/// <param name="Scale">The training scale.</param>
public sealed record ModelVariant(string Configuration, TrainingScale Scale)
{
    /// <summary>The variant the warm start of the deeper configurations comes from: A at S = 256.</summary>
    public static ModelVariant WarmStartSource { get; } = new("A", TrainingScale.Fixed256);

    /// <summary>The paper's notation: "D/[256;512]".</summary>
    public string Label => $"{Configuration}/{Scale.Label}";

    /// <summary>Whether this variant starts from random weights whatever the study's <see cref="StudyInit"/> (A and A-LRN, as in the paper).</summary>
    public bool AlwaysRandom => Configuration is "A" or "A-LRN";

    /// <summary>The run directory's name for seed <paramref name="seed"/>: "D-256_512-seed1", with "-glorot" when B to E start from random weights.</summary>
    public string RunName(int seed, StudyInit init) =>
        $"{Configuration}-{Scale.FileLabel}{(init == StudyInit.Glorot && !AlwaysRandom ? "-glorot" : "")}-seed{seed}";
}
