using System.CommandLine;
using VggSharp.Localisation;

namespace VggSharp.Cli.Commands;

/// <summary>
/// "vggsharp localisation-data": writes the constructed localisation benchmark (<see cref="ClutteredSet"/>): Fashion-MNIST
/// items at random places and sizes on cluttered canvases, as PNG images with PASCAL VOC XML boxes in ImageNet's layout.
/// </summary>
internal static class LocalisationDataCommand
{
    private static readonly ClutteredSetOptions Defaults = new() { OutputDirectory = "." };

    public static Command Create()
    {
        Option<T> Make<T>(string name, string description, string helpName, T defaultValue) =>
            new(name) { Description = description, HelpName = helpName, DefaultValueFactory = _ => defaultValue };
        var output = new Option<string>("--out") { Description = "The folder to write (train/ and val/); it must be new or empty.", HelpName = "dir", Required = true };
        var source = Make("--fashion-mnist", "The folder of Fashion-MNIST's IDX files.", "dir", Defaults.Source);
        var canvas = Make("--canvas", "The side of the square canvases.", "pixels", Defaults.CanvasSize);
        var minSize = Make("--min-size", "The smallest side an item is rescaled to.", "pixels", Defaults.MinObjectSize);
        var maxSize = Make("--max-size", "The largest side an item is rescaled to.", "pixels", Defaults.MaxObjectSize);
        var clutter = Make("--clutter", "Pieces of other items scattered over each canvas.", "count", Defaults.ClutterPieces);
        var clutterSize = Make("--clutter-size", "The side of a clutter piece.", "pixels", Defaults.ClutterSize);
        var train = Make("--train-per-class", "Training images per class (from Fashion-MNIST's training set).", "count", Defaults.TrainPerClass);
        var validation = Make("--val-per-class", "Validation images per class (from Fashion-MNIST's test set).", "count", Defaults.ValidationPerClass);
        var seed = Make("--seed", "The seed every placement derives from.", "n", Defaults.Seed);
        var command = new Command("localisation-data",
            "Write a constructed localisation data set: Fashion-MNIST items placed at random positions and scales on cluttered canvases, PNG + PASCAL VOC XML.");
        foreach (Option option in (Option[])[output, source, canvas, minSize, maxSize, clutter, clutterSize, train, validation, seed]) command.Options.Add(option);
        command.SetAction((parseResult, cancellation) =>
        {
            var options = new ClutteredSetOptions
            {
                OutputDirectory = parseResult.GetRequiredValue(output), Source = parseResult.GetValue(source)!, CanvasSize = parseResult.GetValue(canvas),
                MinObjectSize = parseResult.GetValue(minSize), MaxObjectSize = parseResult.GetValue(maxSize), ClutterPieces = parseResult.GetValue(clutter),
                ClutterSize = parseResult.GetValue(clutterSize), TrainPerClass = parseResult.GetValue(train), ValidationPerClass = parseResult.GetValue(validation),
                Seed = parseResult.GetValue(seed),
            };
            int written = ClutteredSet.Write(options, cancellation: cancellation);
            parseResult.InvocationConfiguration.Output.WriteLine(
                $"Wrote {written} constructed images with PASCAL VOC boxes to {options.OutputDirectory} (train/ and val/, a folder per class).");
            return Task.FromResult(Cli.Success);
        });
        return command;
    }
}
