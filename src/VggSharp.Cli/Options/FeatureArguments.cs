using System.CommandLine;
using VggSharp.Transfer;

namespace VggSharp.Cli.Options;

/// <summary>
/// The options of the commands that describe images with trained networks (features, transfer): --weights, --layer,
/// --scales, --aggregate, --no-flip, --batch, read into the library's <see cref="FeatureOptions"/>.
/// </summary>
internal sealed class FeatureArguments
{
    private static readonly FeatureOptions Defaults = new();

    public Option<string[]> Weights { get; } = new("--weights", "-w")
    {
        Description = "A weights file: VggSharp safetensors, a PyTorch state_dict (.pth) or a Caffe .caffemodel. "
            + "Repeat to stack several models' descriptors (in the order given), as the paper stacks D's and E's.",
        HelpName = "file",
        Required = true,
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>--config and --input-size, for weights without VggSharp metadata.</summary>
    public WeightsArguments Description { get; } = new();

    public Option<string> Layer { get; } = new("--layer")
    {
        Description = "The layer whose outputs are the features, by its Caffe name (fc7, fc6, pool5, conv5_3...), taken after its ReLU.",
        HelpName = "name",
        DefaultValueFactory = _ => Defaults.Layer,
    };

    public Option<int[]> Scales { get; } = new("--scales")
    {
        Description = "Scales Q (the image's smallest side) the dense network runs at, comma-separated, e.g. 256,384,512 "
            + "[default: the dense protocol's {S-32, S, S+32} in proportion to the model's input size].",
        HelpName = "q,q,...",
        Arity = ArgumentArity.ExactlyOne,
        CustomParser = EvaluationArguments.ParseScales,
    };

    public EnumOption<FeatureAggregation> Aggregate { get; } =
        new("--aggregate", "How the scales combine: mean (averaged, as for VOC) or stack (concatenated in scale order, as for Caltech).", Defaults.Aggregation);

    public Option<bool> NoFlip { get; } = new("--no-flip") { Description = "Do not average each image with its horizontal flip." };

    public Option<int> Batch { get; } = new("--batch")
    {
        Description = "Whole images per forward pass, by pixels: as many as hold this many crops.",
        HelpName = "count",
        DefaultValueFactory = _ => Defaults.BatchSize,
    };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Weights);
        Description.AddTo(command);
        foreach (Option option in (Option[])[Layer, Scales, Aggregate.Option, NoFlip, Batch]) command.Options.Add(option);
    }

    /// <summary>Loads the models of every --weights file.</summary>
    public LoadedModels LoadModels(ParseResult parseResult) => new(parseResult.GetRequiredValue(Weights), Description.Read(parseResult));

    /// <summary>The feature options the command line asks for (validated by the extractor).</summary>
    public FeatureOptions Read(ParseResult parseResult) => new()
    {
        Layer = parseResult.GetRequiredValue(Layer),
        Scales = parseResult.GetValue(Scales) ?? [],
        Aggregation = Aggregate.Read(parseResult),
        Flip = !parseResult.GetValue(NoFlip),
        BatchSize = parseResult.GetValue(Batch),
    };
}
