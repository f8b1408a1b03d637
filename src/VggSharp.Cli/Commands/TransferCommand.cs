using System.CommandLine;
using System.Globalization;
using VggSharp.Cli.Options;
using VggSharp.Cli.Output;
using VggSharp.Data;
using VggSharp.Transfer;

namespace VggSharp.Cli.Commands;

/// <summary>"vggsharp transfer": the paper's Appendix B, linear SVMs on a trained network's descriptors of another data set.</summary>
internal static class TransferCommand
{
    public static Command Create()
    {
        var features = new FeatureArguments();
        var train = new Option<string>("--train")
        {
            Description = $"The data whose training images the SVMs learn from: {DataSource.FashionMnistName}, {DataSource.FashionMnistName}:DIR, or a folder whose train/ has a subfolder per class.",
            HelpName = "name|folder",
            Required = true,
        };
        var test = new Option<string?>("--test")
        {
            Description = "The data whose validation images (val/, or Fashion-MNIST's test set) score the SVMs [default: --train's].",
            HelpName = "name|folder",
        };
        var classes = ClassSubsetOption.Create("Learn and test on");
        var perClass = new Option<int?>("--per-class") { Description = "The Caltech protocol: N training images drawn at random from each class [default: all].", HelpName = "N" };
        var splits = new Option<int>("--splits") { Description = "The number of random splits K (with --per-class); results are their mean and standard deviation.", HelpName = "K", DefaultValueFactory = _ => 1 };
        var c = new Option<double?>("--c") { Description = "The SVMs' cost C [default: chosen by 5-fold cross-validation on the training images].", HelpName = "C" };
        var seed = new Option<ulong>("--seed") { Description = "The seed of the splits and the cross-validation folds.", HelpName = "n", DefaultValueFactory = _ => PerClassSplit.DefaultSeed };
        var report = new Option<string?>("--report") { Description = "Also write an HTML report with the confusion matrix to this file.", HelpName = "file.html" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of text." };
        var command = new Command("transfer",
            "Transfer learning as the paper's Appendix B: one-vs-rest linear SVMs (liblinear) on a trained network's L2-normalised descriptors of "
            + "another data set, scored by mean class recall over random splits (the Caltech protocol) and per-class average precision.");
        features.AddTo(command);
        var devices = new DeviceOptions();
        devices.AddTo(command);
        foreach (Option option in (Option[])[train, test, classes, perClass, splits, c, seed, report, json]) command.Options.Add(option);
        command.SetAction((parseResult, cancellation) =>
        {
            var options = new TransferOptions
            {
                Features = features.Read(parseResult),
                Svm = new SvmOptions { C = parseResult.GetValue(c) },
                PerClass = parseResult.GetValue(perClass),
                Splits = parseResult.GetValue(splits),
                Seed = parseResult.GetValue(seed),
            };
            options.Validate();
            var error = parseResult.InvocationConfiguration.Error;
            using var device = new DefaultBackendScope(devices.Read(parseResult, error));
            using var models = features.LoadModels(parseResult);
            string trainSpec = parseResult.GetRequiredValue(train), testSpec = parseResult.GetValue(test) ?? trainSpec;
            var trainSet = DataSource.OpenTrain(trainSpec);
            var testSet = DataSource.OpenValidation(testSpec, trainSet.ClassNames);
            if (ClassSubsetOption.Read(parseResult, classes) is { } subset) (trainSet, testSet) = (DatasetSubset.OfClasses(trainSet, subset), DatasetSubset.OfClasses(testSet, subset));

            var result = TransferExperiment.Run(models.Models, trainSet, testSet, options, cancellation: cancellation);
            foreach (var bad in result.BadImages) error.WriteLine($"warning: skipped {bad.Source}: {bad.Reason}");
            var summary = TransferSummary.Of(result, models.Paths, trainSpec, testSpec, options);
            if (parseResult.GetValue(report) is { } reportPath)
            {
                TransferReport.Write(reportPath, result,
                [
                    .. models.Paths.Select(path => KeyValuePair.Create("model", path)),
                    KeyValuePair.Create("train", trainSpec), KeyValuePair.Create("test", testSpec),
                    KeyValuePair.Create("layer", options.Features.Layer), KeyValuePair.Create("aggregate", summary.Aggregate),
                    KeyValuePair.Create("flip", summary.Flip ? "yes" : "no"),
                    KeyValuePair.Create("per class", options.PerClass?.ToString(CultureInfo.InvariantCulture) ?? "all"),
                    KeyValuePair.Create("C", options.Svm.C?.ToString(CultureInfo.InvariantCulture) ?? "cross-validated"),
                ]);
            }
            var output = parseResult.InvocationConfiguration.Output;
            if (parseResult.GetValue(json)) summary.WriteJson(output);
            else summary.WriteText(output);
            return Task.FromResult(Cli.Success);
        });
        return command;
    }
}
