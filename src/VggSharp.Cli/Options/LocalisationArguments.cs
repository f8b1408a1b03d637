using System.CommandLine;
using VggSharp.Evaluation;
using VggSharp.Interop;
using VggSharp.Localisation;
using VggSharp.Models;

namespace VggSharp.Cli.Options;

/// <summary>
/// What eval and predict take for --task localisation: --task itself, the classifier that ranks the classes and
/// weights the boxes (--classifier), and the merge threshold; the localisation network is the one --weights file, the
/// protocol center or dense.
/// </summary>
internal sealed class LocalisationArguments
{
    public EnumOption<TrainingTask> Task { get; } = TaskOption.Create();

    public Option<string?> Classifier { get; } = new("--classifier")
    {
        Description = "With --task localisation: the classification network (of the same input size) that ranks the classes and weights the boxes.",
        HelpName = "weights",
    };

    public Option<double> MergeThreshold { get; } = new("--merge-iou")
    {
        Description = "With --task localisation: the IoU above which two boxes of a class are merged (dense).",
        HelpName = "iou",
        DefaultValueFactory = _ => GreedyBoxMerge.DefaultThreshold,
    };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (Option option in (Option[])[Task.Option, Classifier, MergeThreshold]) command.Options.Add(option);
    }

    /// <summary>Whether the command line asks for localisation.</summary>
    public bool Asked(ParseResult parseResult) => Task.Read(parseResult) == TrainingTask.Localisation;

    /// <summary>The localisation test the command line asks for; only the centre and dense protocols apply.</summary>
    public LocalisationEvaluationOptions Read(ParseResult parseResult, EvaluationOptions evaluation) => new()
    {
        Protocol = evaluation.Protocol switch
        {
            EvaluationProtocol.Center => LocalisationProtocol.Centre,
            EvaluationProtocol.Dense => LocalisationProtocol.Dense,
            _ => throw new ArgumentException($"--task localisation tests by --protocol center or dense, not {EvaluationArguments.NameOf(evaluation.Protocol)}."),
        },
        Scales = evaluation.Scales, Limit = evaluation.Limit, MergeThreshold = parseResult.GetValue(MergeThreshold),
    };

    /// <summary>The classifier --classifier names, or null.</summary>
    public VggModel? LoadClassifier(ParseResult parseResult) => parseResult.GetValue(Classifier) is { } path ? WeightsFile.Load(path) : null;

    /// <summary>The one localisation network of --weights.</summary>
    public static VggModel Localiser(LoadedModels models) =>
        models.Models.Count == 1 ? models.Models[0] : throw new ArgumentException("--task localisation takes one --weights file: the localisation network.");
}
