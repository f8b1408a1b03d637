using System.CommandLine;
using System.Globalization;
using VggSharp.Cli.Options;
using VggSharp.Data;
using VggSharp.Transfer;

namespace VggSharp.Cli.Commands;

/// <summary>"vggsharp features": the paper's Appendix B descriptors of a data set's images, written for NumPy.</summary>
internal static class FeaturesCommand
{
    public static Command Create()
    {
        var features = new FeatureArguments();
        var data = new Option<string>("--data")
        {
            Description = $"The data set: {DataSource.FashionMnistName}, {DataSource.FashionMnistName}:DIR, or a folder with train/ and val/ (a subfolder per class, or val/ flat with labels.txt).",
            HelpName = "name|folder",
            Required = true,
        };
        var set = new Option<string>("--set") { Description = "Which part of the data: train or val.", HelpName = "train|val", DefaultValueFactory = _ => "train" };
        set.AcceptOnlyFromAmong("train", "val");
        var classes = ClassSubsetOption.Create("Describe");
        var output = new Option<string>("--out")
        {
            Description = $"The folder to write {FeatureSet.FeaturesFileName} ([images, dimension] float32), {FeatureSet.LabelsFileName} (int64), "
                + $"{FeatureSet.FilesFileName} and {FeatureSet.ClassesFileName} into.",
            HelpName = "dir",
            Required = true,
        };
        var command = new Command("features",
            "Describe images with trained networks as the paper's Appendix B does: a layer's outputs of the dense network, averaged over "
            + "positions, flips and scales (or stacked over scales), models stacked, L2-normalised. Written as NumPy files.");
        features.AddTo(command);
        var devices = new DeviceOptions();
        devices.AddTo(command);
        foreach (Option option in (Option[])[data, set, classes, output]) command.Options.Add(option);
        command.SetAction((parseResult, cancellation) =>
        {
            var options = features.Read(parseResult);
            var error = parseResult.InvocationConfiguration.Error;
            using var device = new DefaultBackendScope(devices.Read(parseResult, error));
            using var models = features.LoadModels(parseResult);
            string spec = parseResult.GetRequiredValue(data);
            IImageDataset images = parseResult.GetRequiredValue(set) == "val" ? DataSource.OpenValidation(spec) : DataSource.OpenTrain(spec);
            if (ClassSubsetOption.Read(parseResult, classes) is { } subset) images = DatasetSubset.OfClasses(images, subset);
            using var extractor = new FeatureExtractor(models.Models, options);
            var result = extractor.Extract(images, cancellation: cancellation);
            foreach (var bad in result.BadImages) error.WriteLine($"warning: skipped {bad.Source}: {bad.Reason}");
            string directory = parseResult.GetRequiredValue(output);
            result.Save(directory);
            parseResult.InvocationConfiguration.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Wrote {result.Count} descriptors of {result.Dimension} values ({options.Layer}, scales {string.Join(" | ", extractor.Scales.Select(s => string.Join(",", s)))}) to {directory} in {result.Seconds:0.0} s."));
            return Task.FromResult(Cli.Success);
        });
        return command;
    }
}
