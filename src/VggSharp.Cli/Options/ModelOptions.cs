using System.CommandLine;
using VggSharp.Models;

namespace VggSharp.Cli.Options;

/// <summary>
/// The options that define a network's architecture (--config, --classes, --input, ...), shared by every command
/// that builds a model. Defaults come from <see cref="VggOptions"/> so the CLI and the library cannot disagree.
/// </summary>
internal sealed class ModelOptions
{
    private static readonly VggOptions Defaults = new();

    /// <summary>Options whose --config is required, or, given <paramref name="defaultConfiguration"/>, optional with that default.</summary>
    public ModelOptions(string? defaultConfiguration = null)
    {
        Configuration = new("--config", "-c")
        {
            Description = "Configuration: A, A-LRN, B, C, D, E, A-BN, B-BN, D-BN, E-BN, vgg11..vgg19[_bn], "
                + "or a layer string such as 64,M,128,M (N = 3x3 conv, N/1 = 1x1 conv, M = max pool, LRN; prefix BN: for batch norm).",
            HelpName = "name|layers",
            Required = defaultConfiguration is null,
        };
        if (defaultConfiguration is not null) Configuration.DefaultValueFactory = _ => defaultConfiguration;
    }

    public Option<string> Configuration { get; }

    public Option<int> Classes { get; } = new("--classes")
    {
        Description = "Number of output classes.",
        HelpName = "count",
        DefaultValueFactory = _ => Defaults.Classes,
    };

    public Option<int> InputSize { get; } = new("--input")
    {
        Description = "Input image size in pixels (square).",
        HelpName = "pixels",
        DefaultValueFactory = _ => Defaults.InputSize,
    };

    public Option<int> Channels { get; } = new("--channels")
    {
        Description = "Input channels (3 for RGB, 1 for grayscale).",
        HelpName = "count",
        DefaultValueFactory = _ => Defaults.InputChannels,
    };

    public Option<double> Width { get; } = new("--width")
    {
        Description = "Multiplies every convolution's channel count.",
        HelpName = "multiplier",
        DefaultValueFactory = _ => Defaults.WidthMultiplier,
    };

    public Option<string> Head { get; } = CreateHeadOption();

    public Option<int?> HiddenUnits { get; } = new("--hidden")
    {
        Description = "Hidden units of fc6 and fc7 [default: 4096 for the paper's head, 512 for the small one].",
        HelpName = "units",
    };

    /// <summary>Adds every model option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (Option option in (Option[])[Configuration, Classes, InputSize, Channels, Width, Head, HiddenUnits])
            command.Options.Add(option);
    }

    /// <summary>The architecture the command line asks for (validated later, when the model is built).</summary>
    public VggOptions Read(ParseResult parseResult) => new()
    {
        Configuration = parseResult.GetRequiredValue(Configuration),
        Classes = parseResult.GetValue(Classes),
        InputSize = parseResult.GetValue(InputSize),
        InputChannels = parseResult.GetValue(Channels),
        WidthMultiplier = parseResult.GetValue(Width),
        Head = Enum.Parse<VggHead>(parseResult.GetRequiredValue(Head), ignoreCase: true),
        HiddenUnits = parseResult.GetValue(HiddenUnits),
    };

    private static Option<string> CreateHeadOption()
    {
        var option = new Option<string>("--head")
        {
            Description = "Fully-connected head: the paper's (4096 hidden units) or a small one (512) for small images.",
            DefaultValueFactory = _ => Defaults.Head.ToString().ToLowerInvariant(),
        };
        option.AcceptOnlyFromAmong(StringComparer.OrdinalIgnoreCase, [.. Enum.GetNames<VggHead>().Select(n => n.ToLowerInvariant())]);
        return option;
    }
}
