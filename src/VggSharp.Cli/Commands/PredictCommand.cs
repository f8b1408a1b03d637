using System.CommandLine;
using System.Globalization;
using VggSharp.Cli.Options;
using VggSharp.Cli.Output;
using VggSharp.Data;
using VggSharp.Evaluation;
using VggSharp.Interop;
using VggSharp.Interop.Numpy;
using VggSharp.Localisation;

namespace VggSharp.Cli.Commands;

/// <summary>
/// "vggsharp predict": the most probable classes of images under a trained model (or an ensemble), by the same
/// protocols as eval; or, with --input x.npy, one model's raw logits for preprocessed inputs, written to --output as .npy.
/// </summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var evaluation = new EvaluationArguments();
        var images = new Argument<string[]>("images") { Description = "PNG or JPEG files.", Arity = ArgumentArity.ZeroOrMore };
        var arrayInput = new Option<string?>("--input")
        {
            Description = "Instead of images: a NumPy .npy file of inputs already preprocessed, NCHW float32 at the model's input size. "
                + "One model's logits go to --output; --protocol and --scales do not apply.",
            HelpName = "x.npy",
        };
        var arrayOutput = new Option<string?>("--output") { Description = "With --input: the .npy file for the logits, [N, classes] float32.", HelpName = "logits.npy" };
        var top = new Option<int>("--top")
        {
            Description = "How many classes to list per image.",
            HelpName = "count",
            DefaultValueFactory = _ => 5,
        };
        top.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1) result.AddError("--top must be at least 1.");
        });
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of text." };
        var classNames = new Option<string?>("--class-names")
        {
            Description = "A text file of class names, one a line in label order (Caffe's synset_words.txt too), for weights that carry none "
                + "(PyTorch, Keras, Caffe); instead of the names the file has.",
            HelpName = "file",
        };
        var localisation = new LocalisationArguments();
        var draw = new Option<string?>("--draw")
        {
            Description = "With --task localisation: a folder for each image with its boxes drawn (NAME.boxes.png; the best class's box in red).", HelpName = "dir",
        };
        var command = new Command("predict",
            "Classify images with trained models: the most probable classes and their probabilities. Class names come from --class-names, or from the model file when it has them (VggSharp, MatConvNet).");
        evaluation.AddTo(command);
        var devices = new DeviceOptions();
        devices.AddTo(command);
        foreach (Option option in (Option[])[arrayInput, arrayOutput, top, json, classNames, draw]) command.Options.Add(option);
        localisation.AddTo(command);
        command.Arguments.Add(images);
        command.Validators.Add(result =>
        {
            bool hasImages = result.GetValue(images) is { Length: > 0 };
            bool hasInput = result.GetValue(arrayInput) is not null, hasOutput = result.GetValue(arrayOutput) is not null;
            if (!hasImages && !hasInput) result.AddError("Give images, or --input x.npy with --output logits.npy.");
            else if (hasImages && hasInput) result.AddError("Give images or --input x.npy, not both.");
            else if (hasInput != hasOutput) result.AddError(hasInput ? "--input x.npy needs --output logits.npy." : "--output goes with --input x.npy.");
        });
        command.SetAction((parseResult, cancellation) =>
        {
            var options = evaluation.Read(parseResult);
            using var device = new DefaultBackendScope(devices.Read(parseResult, parseResult.InvocationConfiguration.Error));
            using var models = evaluation.LoadModels(parseResult);
            if (parseResult.GetValue(arrayInput) is { } input)
                return Task.FromResult(WriteLogits(parseResult, models, input, parseResult.GetValue(arrayOutput)!, options.BatchSize, cancellation));
            var classes = models.Models[0].Options.Classes;
            var names = (parseResult.GetValue(classNames) is { } namesFile ? ClassNamesFile.Read(namesFile, classes) : WeightsFile.ReadClassNames(models.Paths[0]))
                ?? [.. Enumerable.Range(0, classes).Select(c => c.ToString(CultureInfo.InvariantCulture))];
            var error = parseResult.InvocationConfiguration.Error;

            // A bad image is reported on its own line and left out; the others are still classified.
            var paths = parseResult.GetRequiredValue(images);
            var decoded = new Dictionary<string, DecodedImage>();
            var failures = new Dictionary<string, string>();
            foreach (string path in paths.Distinct())
            {
                try
                {
                    decoded[path] = ImageDecoder.DecodeFile(path);
                }
                catch (ImageFormatException e)
                {
                    failures[path] = e.Message;
                    error.WriteLine($"error: {e.Message}");
                }
            }
            var readable = paths.Distinct().Where(decoded.ContainsKey).ToList();
            if (localisation.Asked(parseResult))
            {
                var answers = LocalisePredictions(parseResult, localisation, options, models, names, readable, decoded, parseResult.GetValue(top), parseResult.GetValue(draw));
                var boxReport = new BoxPredictionReport(models.Paths[0], parseResult.GetValue(localisation.Classifier),
                    [.. paths.Select(path => failures.TryGetValue(path, out var message) ? new ImageBoxes(path, null, message, null) : answers[path])]);
                if (parseResult.GetValue(json)) boxReport.WriteJson(parseResult.InvocationConfiguration.Output);
                else boxReport.WriteText(parseResult.InvocationConfiguration.Output);
                return Task.FromResult(failures.Count == 0 ? Cli.Success : Cli.Failure);
            }
            var posteriors = Evaluator.Predict(models.Models, [.. readable.Select(p => decoded[p])], options, cancellation);
            var byPath = readable.Select((path, i) => (path, i)).ToDictionary(x => x.path, x => posteriors[x.i]);
            int count = Math.Min(parseResult.GetValue(top), classes);
            var predictions = paths.Select(path => failures.TryGetValue(path, out var message)
                ? new ImagePrediction(path, null, message)
                : new ImagePrediction(path, Best(byPath[path], names, count), null)).ToList();

            var report = new PredictionReport(EvaluationArguments.NameOf(options.Protocol),
                [.. models.Models.SelectMany(m => options.ScalesFor(m.Options)).Distinct().Order()], models.Paths, predictions);
            var output = parseResult.InvocationConfiguration.Output;
            if (parseResult.GetValue(json)) report.WriteJson(output);
            else report.WriteText(output);
            return Task.FromResult(failures.Count == 0 ? Cli.Success : Cli.Failure);
        });
        return command;
    }

    /// <summary>--task localisation: each image's classes with their boxes, drawn into --draw's folder when given.</summary>
    private static Dictionary<string, ImageBoxes> LocalisePredictions(ParseResult parseResult, LocalisationArguments arguments, EvaluationOptions evaluation,
        LoadedModels models, IReadOnlyList<string> modelNames, List<string> paths, Dictionary<string, DecodedImage> images, int top, string? drawFolder)
    {
        var options = arguments.Read(parseResult, evaluation);
        var localiser = LocalisationArguments.Localiser(models);
        using var classifier = arguments.LoadClassifier(parseResult);
        // A localisation model names its classes under its own key; its outputs are boxes, not classes.
        int classes = classifier?.Options.Classes ?? (localiser.Options.Classes / BoxEncoding.Length);
        var names = (classifier is null ? null : WeightsFile.ReadClassNames(parseResult.GetValue(arguments.Classifier)!))
            ?? LocalisationModel.ReadClassNames(models.Paths[0]) ?? [.. Enumerable.Range(0, classes).Select(c => c.ToString(CultureInfo.InvariantCulture))];
        if (drawFolder is not null) Directory.CreateDirectory(drawFolder);
        var result = new Dictionary<string, ImageBoxes>();
        foreach (string path in paths)
        {
            var answers = LocalisationEvaluator.Predict(localiser, classifier, classes, images[path], options, top);
            string? drawn = null;
            if (drawFolder is not null)
            {
                drawn = Path.Combine(drawFolder, Path.GetFileNameWithoutExtension(path) + ".boxes.png");
                PngEncoder.Save(BoxDrawing.Draw(images[path], [.. answers.Select(a => a.Box)]), drawn);
            }
            result[path] = new ImageBoxes(path, [.. answers.Select(a => new ClassBoxOutput(a.Label, a.Label < names.Count ? names[a.Label] : $"{a.Label}",
                a.ClassScore, [a.Box.Left, a.Box.Top, a.Box.Right, a.Box.Bottom], a.BoxScore))], null, drawn);
        }
        return result;
    }

    /// <summary>Runs the one model over the .npy inputs and writes its logits.</summary>
    private static int WriteLogits(ParseResult parseResult, LoadedModels models, string input, string output, int batch, CancellationToken cancellation)
    {
        if (models.Models.Count != 1) throw new ArgumentException("--input writes one model's logits: give one --weights.");
        var model = models.Models[0];
        using var array = NpyReader.Open(input);
        var logits = ArrayInference.Logits(model, array, batch, cancellation);
        long[] shape = [array.Shape[0], model.Options.Classes];
        NpyWriter.Write(output, shape, logits);
        parseResult.InvocationConfiguration.Output.WriteLine($"{output}: logits ({shape[0]}, {shape[1]}) of {models.Paths[0]} for {input}");
        return Cli.Success;
    }

    /// <summary>The <paramref name="count"/> most probable classes, best first; ties go to the lower label.</summary>
    private static List<ClassProbability> Best(float[] posterior, IReadOnlyList<string> names, int count) =>
        [.. Enumerable.Range(0, posterior.Length)
            .OrderByDescending(c => posterior[c]).ThenBy(c => c)
            .Take(count)
            .Select(c => new ClassProbability(c, names[c], posterior[c]))];
}
