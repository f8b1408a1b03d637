using System.CommandLine;
using VggSharp.Models;

namespace VggSharp.Cli.Options;

/// <summary>
/// The options that define a network's architecture (--config, --classes, --input, ...), shared by every command
/// that builds a model. Each command gives the defaults to show and use, so the CLI and the library cannot disagree:
/// <see cref="VggOptions"/>' own, or, for train, those of <see cref="Training.TrainingSource"/>.
/// </summary>
internal sealed class ModelOptions
{
    private readonly VggOptions _defaults;
    private readonly Option<string> _configuration;
    private readonly Option<int>? _classes, _channels;
    private readonly Option<int> _inputSize;
    private readonly Option<double> _width;
    private readonly EnumOption<VggHead> _head;
    private readonly Option<int?> _hiddenUnits;

    /// <summary>The model options with <paramref name="defaults"/>.</summary>
    /// <param name="defaults">What an option not given means, as the help shows it.</param>
    /// <param name="requireConfiguration">Whether --config must be given rather than default to <paramref name="defaults"/>' configuration.</param>
    /// <param name="offerClassesAndChannels">
    /// Whether --classes and --channels are offered; a command whose data decides them (train) leaves them out, and
    /// <see cref="Read"/> then gives <paramref name="defaults"/>' values for them.
    /// </param>
    public ModelOptions(VggOptions defaults, bool requireConfiguration = false, bool offerClassesAndChannels = true)
    {
        _defaults = defaults;
        Option<T> Make<T>(string name, string description, string helpName, T defaultValue) =>
            new(name) { Description = description, HelpName = helpName, DefaultValueFactory = _ => defaultValue };
        _configuration = new("--config", "-c")
        {
            Description = "Configuration: A, A-LRN, B, C, D, E, A-BN, B-BN, D-BN, E-BN, vgg11..vgg19[_bn], "
                + "or a layer string such as 64,M,128,M (N = 3x3 conv, N/1 = 1x1 conv, M = max pool, LRN; prefix BN: for batch norm).",
            HelpName = "name|layers",
            Required = requireConfiguration,
        };
        if (!requireConfiguration) _configuration.DefaultValueFactory = _ => defaults.Configuration;
        if (offerClassesAndChannels)
        {
            _classes = Make("--classes", "Number of output classes.", "count", defaults.Classes);
            _channels = Make("--channels", "Input channels (3 for RGB, 1 for grayscale).", "count", defaults.InputChannels);
        }
        _inputSize = Make("--input", "Input image size in pixels (square): the crop size in training.", "pixels", defaults.InputSize);
        _width = Make("--width", "Multiplies every convolution's channel count.", "multiplier", defaults.WidthMultiplier);
        _head = new("--head", "Fully-connected head: the paper's (4096 hidden units) or a small one (512) for small images.", defaults.Head);
        _hiddenUnits = new("--hidden")
        {
            Description = "Hidden units of fc6 and fc7 [default: 4096 for the paper's head, 512 for the small one].",
            HelpName = "units",
        };
    }

    /// <summary>Adds every model option this command offers to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (Option? option in (Option?[])[_configuration, _classes, _inputSize, _channels, _width, _head.Option, _hiddenUnits])
            if (option is not null) command.Options.Add(option);
    }

    /// <summary>The architecture the command line asks for (validated later, when the model is built).</summary>
    public VggOptions Read(ParseResult parseResult) => _defaults with
    {
        Configuration = parseResult.GetRequiredValue(_configuration),
        Classes = _classes is null ? _defaults.Classes : parseResult.GetValue(_classes),
        InputSize = parseResult.GetValue(_inputSize),
        InputChannels = _channels is null ? _defaults.InputChannels : parseResult.GetValue(_channels),
        WidthMultiplier = parseResult.GetValue(_width),
        Head = _head.Read(parseResult),
        HiddenUnits = parseResult.GetValue(_hiddenUnits) ?? _defaults.HiddenUnits,
    };
}
