using System.CommandLine;
using VggSharp.Interop;

namespace VggSharp.Cli.Options;

/// <summary>
/// The options that describe a weights file without VggSharp metadata (a PyTorch state_dict), whose model is otherwise
/// inferred from its keys and shapes; shared by every command that reads weights files.
/// </summary>
internal sealed class WeightsArguments
{
    public Option<string?> Configuration { get; } = new("--config", "-c")
    {
        Description = "For weights without VggSharp metadata (.pth, .caffemodel, .h5, .mat, .onnx): the configuration (A..E, A-BN.., vgg16, or a layer string), "
            + "instead of the one inferred from the convolutions' shapes.",
        HelpName = "name|layers",
    };

    public Option<int?> InputSize { get; } = new("--input-size")
    {
        Description = "For a PyTorch state_dict: the input size, instead of the one fc6 implies (224 for torchvision's). "
            + "Another size folds torchvision's 7x7 average pooling into fc6, as torchvision computes at that size. "
            + "A .caffemodel's and a Keras .h5's fc6 fix their input size; given, it must match. timm's files take smaller sizes; larger ones are --protocol dense.",
        HelpName = "pixels",
    };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Configuration);
        command.Options.Add(InputSize);
    }

    /// <summary>What the command line says about the weights.</summary>
    public WeightsLoadOptions Read(ParseResult parseResult) => new()
    {
        Configuration = parseResult.GetValue(Configuration),
        InputSize = parseResult.GetValue(InputSize),
    };
}
