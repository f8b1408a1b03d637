using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using VggSharp.Evaluation;

namespace VggSharp.Cli.Options;

/// <summary>
/// The options shared by the commands that run trained models (--weights, --protocol, --scales, --batch), read into
/// the library's <see cref="EvaluationOptions"/>.
/// </summary>
internal sealed class EvaluationArguments
{
    private static readonly EvaluationOptions Defaults = new();

    /// <summary>The protocol names on the command line, as in the paper's tables.</summary>
    private static readonly Dictionary<string, EvaluationProtocol> ProtocolNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["center"] = EvaluationProtocol.Center,
        ["dense"] = EvaluationProtocol.Dense,
        ["multicrop"] = EvaluationProtocol.MultiCrop,
        ["dense+multicrop"] = EvaluationProtocol.DenseAndMultiCrop,
    };

    public Option<string[]> Weights { get; } = new("--weights", "-w")
    {
        Description = "A weights file: VggSharp safetensors, a PyTorch state_dict (.pth, .bin, a Lightning .ckpt; torchvision's or timm's keys), "
            + "a Caffe .caffemodel, a Keras .h5, a MatConvNet .mat or a VGG graph in ONNX (.onnx). "
            + "Repeat for an ensemble: the models' softmax posteriors are averaged.",
        HelpName = "file",
        Required = true,
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>--config and --input-size, for weights without VggSharp metadata.</summary>
    public WeightsArguments Description { get; } = new();

    public Option<string> Protocol { get; } = CreateProtocolOption();

    public Option<int[]> Scales { get; } = new("--scales")
    {
        Description = "Test scales Q (the image's smallest side), comma-separated, e.g. 256,384,512; posteriors are averaged over them. "
            + "[default: the model's input size for center; for the others the paper's {S-32, S, S+32} with S = 256/224 of the input size, "
            + "all in proportion to it: 224,256,288 for 224; 28,32,36 for 28]",
        HelpName = "q,q,...",
        Arity = ArgumentArity.ExactlyOne,
        CustomParser = ParseScales,
    };

    public Option<int> Batch { get; } = new("--batch")
    {
        Description = "Crops per forward pass (dense: the same number of pixels).",
        HelpName = "count",
        DefaultValueFactory = _ => Defaults.BatchSize,
    };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Weights);
        Description.AddTo(command);
        foreach (Option option in (Option[])[Protocol, Scales, Batch]) command.Options.Add(option);
    }

    /// <summary>Loads the models of every --weights file, as --config and --input-size describe those without VggSharp metadata.</summary>
    public LoadedModels LoadModels(ParseResult parseResult) => new(parseResult.GetRequiredValue(Weights), Description.Read(parseResult));

    /// <summary>The protocol's command-line name.</summary>
    public static string NameOf(EvaluationProtocol protocol) => ProtocolNames.First(pair => pair.Value == protocol).Key;

    /// <summary>The evaluation options the command line asks for (validated by the evaluator).</summary>
    public EvaluationOptions Read(ParseResult parseResult, int? limit = null) => new()
    {
        Protocol = ProtocolNames[parseResult.GetRequiredValue(Protocol)],
        Scales = parseResult.GetValue(Scales) ?? [],
        BatchSize = parseResult.GetValue(Batch),
        Limit = limit,
    };

    private static Option<string> CreateProtocolOption()
    {
        var option = new Option<string>("--protocol")
        {
            Description = "Test protocol (section 3.2): center (one centre crop), dense (the fully-convolutional net over the whole image and its flip), "
                + "multicrop (a 5x5 grid of crops and their flips), dense+multicrop (the mean of both).",
            DefaultValueFactory = _ => NameOf(Defaults.Protocol),
        };
        option.AcceptOnlyFromAmong(StringComparer.OrdinalIgnoreCase, [.. ProtocolNames.Keys]);
        return option;
    }

    /// <summary>Parses "256,384,512" into scales, or adds a parse error.</summary>
    internal static int[] ParseScales(ArgumentResult result)
    {
        string text = result.Tokens.Single().Value;
        var scales = new List<int>();
        foreach (string part in text.Split(','))
        {
            if (!int.TryParse(part.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int scale) || scale < 1)
            {
                result.AddError($"Cannot parse '{text}' as test scales: give positive whole numbers separated by commas, e.g. 256,384,512.");
                return [];
            }
            scales.Add(scale);
        }
        return [.. scales];
    }
}
