using System.CommandLine;
using VggSharp.Cli.Options;
using VggSharp.Cli.Output;
using VggSharp.Data;
using VggSharp.Evaluation;
using VggSharp.Localisation;

namespace VggSharp.Cli.Commands;

/// <summary>"vggsharp eval": top-1 and top-5 error of trained models on a validation set, by one of the paper's test protocols.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var evaluation = new EvaluationArguments();
        var data = new Option<string>("--data")
        {
            Description = $"The data set: {DataSource.FashionMnistName} (its test set), {DataSource.FashionMnistName}:DIR, or a folder whose val/ "
                + "holds a subfolder per class (or images and labels.txt).",
            HelpName = "name|folder",
            Required = true,
        };
        var limit = new Option<int?>("--limit") { Description = "Evaluate only the first N images.", HelpName = "N" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of text." };
        var classes = ClassSubsetOption.Create("Evaluate on");
        var command = new Command("eval",
            "Evaluate trained models on a validation set: top-1 and top-5 error under the paper's test protocols, over several scales and an ensemble.");
        evaluation.AddTo(command);
        var localisation = new LocalisationArguments();
        localisation.AddTo(command);
        var devices = new DeviceOptions();
        devices.AddTo(command);
        foreach (Option option in (Option[])[data, classes, limit, json]) command.Options.Add(option);
        command.SetAction((parseResult, cancellation) =>
        {
            var options = evaluation.Read(parseResult, parseResult.GetValue(limit));
            using var device = new DefaultBackendScope(devices.Read(parseResult, parseResult.InvocationConfiguration.Error));
            using var models = evaluation.LoadModels(parseResult);
            string spec = parseResult.GetRequiredValue(data);
            if (localisation.Asked(parseResult)) return Task.FromResult(EvaluateLocalisation(parseResult, localisation, options, models, spec, parseResult.GetValue(json), cancellation));
            IImageDataset validation = DataSource.OpenValidation(spec);
            if (ClassSubsetOption.Read(parseResult, classes) is { } subset) validation = DatasetSubset.OfClasses(validation, subset);
            var result = Evaluator.Evaluate(models.Models, validation, options, cancellation: cancellation);

            var error = parseResult.InvocationConfiguration.Error;
            foreach (var bad in result.BadImages) error.WriteLine($"warning: skipped {bad.Source}: {bad.Reason}");
            var evaluated = models.Paths.Select((path, m) => new EvaluatedModel(path, models.Models[m].Configuration.Name,
                models.Models[m].Options.InputSize, options.ScalesFor(models.Models[m].Options))).ToList();
            var report = EvaluationReport.Of(result, options, evaluated, spec);
            var output = parseResult.InvocationConfiguration.Output;
            if (parseResult.GetValue(json)) report.WriteJson(output);
            else report.WriteText(output);
            return Task.FromResult(Cli.Success);
        });
        return command;
    }

    /// <summary>--task localisation: the top-1, top-5 and ground-truth-class localisation errors on the annotated val/ set.</summary>
    private static int EvaluateLocalisation(ParseResult parseResult, LocalisationArguments arguments, EvaluationOptions evaluation, LoadedModels models,
        string spec, bool asJson, CancellationToken cancellation)
    {
        var options = arguments.Read(parseResult, evaluation);
        var localiser = LocalisationArguments.Localiser(models);
        using var classifier = arguments.LoadClassifier(parseResult);
        var (_, validation) = LocalisationDataset.Open(spec);
        var result = LocalisationEvaluator.Evaluate(localiser, classifier, validation, options, cancellation: cancellation);
        foreach (var bad in result.BadImages) parseResult.InvocationConfiguration.Error.WriteLine($"warning: skipped {bad.Source}: {bad.Reason}");
        var report = new LocalisationReport(models.Paths[0], parseResult.GetValue(arguments.Classifier), EvaluationArguments.NameOf(evaluation.Protocol),
            options.ScalesFor(localiser.Options), spec, result.Images,
            classifier is null ? null : result.Top1Error, classifier is null ? null : result.Top5Error, result.GroundTruthClassError, result.Seconds);
        var output = parseResult.InvocationConfiguration.Output;
        if (asJson) report.WriteJson(output);
        else report.WriteText(output);
        return Cli.Success;
    }
}
