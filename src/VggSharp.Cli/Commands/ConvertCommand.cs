using System.CommandLine;
using System.Globalization;
using VggSharp.Cli.Options;
using VggSharp.Interop;
using VggSharp.Models;

namespace VggSharp.Cli.Commands;

/// <summary>
/// "vggsharp convert IN OUT": reads weights in any format VggSharp reads (told by content, or by the extension for
/// Caffe and ONNX) and writes them in the format OUT's extension names (safetensors or ONNX), with the model's architecture
/// and preprocessing in its metadata.
/// </summary>
internal static class ConvertCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("in") { Description = "The weights to read: VggSharp safetensors, a PyTorch state_dict (.pth, .bin, a Lightning .ckpt; torchvision's or timm's keys), a Caffe .caffemodel, a Keras .h5, a MatConvNet .mat or a VGG graph in ONNX (.onnx)." };
        var output = new Argument<string>("out") { Description = "The file to write; its extension picks the format: .safetensors or .onnx." };
        var description = new WeightsArguments();
        var command = new Command("convert",
            "Convert weights between formats: a PyTorch state_dict (.pth), a Caffe model (.caffemodel), a Keras .h5, a MatConvNet .mat or an ONNX graph (.onnx) becomes a VggSharp .safetensors file that carries its architecture and preprocessing; any of them exports to ONNX (.onnx).");
        command.Arguments.Add(input);
        command.Arguments.Add(output);
        description.AddTo(command);
        command.SetAction(parseResult =>
        {
            string from = parseResult.GetRequiredValue(input), to = parseResult.GetRequiredValue(output);
            string format = WeightsFile.Detect(from).ToString();
            var options = WeightsFile.Convert(from, to, description.Read(parseResult));
            parseResult.InvocationConfiguration.Output.WriteLine($"{to}: {Describe(options)}, from {from} ({format})");
            return Cli.Success;
        });
        return command;
    }

    private static string Describe(VggOptions options)
    {
        var p = options.EffectivePreprocessing;
        string Floats(float[] values) => string.Join(", ", values.Select(v => v.ToString("0.###", CultureInfo.InvariantCulture)));
        string preprocessing = p.Equals(Preprocessing.Torchvision) ? "torchvision's preprocessing" : p.Equals(Preprocessing.Caffe) ? "Caffe's preprocessing"
            : $"pixels x {p.PixelScale.ToString("0.######", CultureInfo.InvariantCulture)}, mean ({Floats(p.Mean)}), std ({Floats(p.Std)}){(p.Bgr ? ", BGR" : "")}";
        return string.Create(CultureInfo.InvariantCulture,
            $"configuration {VggConfiguration.Parse(options.Configuration).Name}, width {options.WidthMultiplier}, {options.Classes} classes, "
            + $"{options.EffectiveHiddenUnits} hidden units, {options.InputChannels}x{options.InputSize}x{options.InputSize} input, {preprocessing}");
    }
}
