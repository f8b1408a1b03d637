using System.CommandLine;
using System.Runtime.InteropServices;
using VggSharp.Cli.Options;
using VggSharp.Experiments;
using VggSharp.Models;
using VggSharp.Training;

namespace VggSharp.Cli.Commands;

/// <summary>
/// "vggsharp experiment table3|table4|table5|table6": one of the paper's studies (<see cref="ExperimentRunner"/>), each
/// network an ordinary run directory, resumable at any point by running the same command again.
/// </summary>
internal static class ExperimentCommand
{
    private static readonly ExperimentOptions Defaults = new();

    private static readonly Dictionary<string, PaperTable> TableNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["table3"] = PaperTable.Table3,
        ["table4"] = PaperTable.Table4,
        ["table5"] = PaperTable.Table5,
        ["table6"] = PaperTable.Table6,
    };

    public static Command Create()
    {
        Option<T> Make<T>(string name, string description, string helpName, T defaultValue) =>
            new(name) { Description = description, HelpName = helpName, DefaultValueFactory = _ => defaultValue };
        var table = new Argument<string>("table")
        {
            Description = "The study: table3 (depth, LRN, 1x1 convolutions, scale jittering; one test scale), table4 (with several test scales), "
                + "table5 (dense, multi-crop, both), table6 (the ensemble of D and E).",
        };
        table.AcceptOnlyFromAmong([.. TableNames.Keys]);
        var data = Make("--data", "fashion-mnist, or a folder with train/ (a subfolder per class) and val/.", "fashion-mnist|path", Defaults.Data);
        var width = Make("--width", "Width multiplier of every convolution (1 is the paper's).", "factor", Defaults.Width);
        var epochs = Make("--epochs", "The epoch limit of every run.", "count", Defaults.Epochs);
        var seeds = Make("--seeds", "Seeds per row: each network is trained once per seed; the report gives the mean and spread.", "count", Defaults.Seeds);
        var input = Make("--input", "The crop (input size); the paper's scales for 224 crops are mapped in proportion (S = 256 -> 37 for 32).", "pixels", Defaults.CropSize);
        var head = new EnumOption<VggHead>("--head", "The fully-connected head: small (512 hidden units) or paper (4096).", Defaults.Head);
        var init = new EnumOption<StudyInit>("--init", "How B to E start: warmstart (from the trained A, the paper's) or glorot (random).", Defaults.Init);
        var lr = Make("--lr", "The initial learning rate of every run.", "rate", Defaults.LearningRate);
        var batch = Make("--batch", "Images per optimisation step.", "count", Defaults.BatchSize);
        var limit = new Option<int?>("--limit") { Description = "Train on the first N training images only.", HelpName = "N" };
        var validationLimit = new Option<int?>("--val-limit") { Description = "Validate (each epoch) and evaluate on the first N validation images only.", HelpName = "N" };
        var evaluationLimit = new Option<int?>("--eval-limit")
        {
            Description = "Evaluate the rows on the first N validation images only (default: --val-limit's); the runs stay shared with studies of other limits.",
            HelpName = "N",
        };
        var workers = Make("--workers", "Background threads that decode and augment.", "count", Defaults.Workers);
        var evaluationBatch = Make("--eval-batch", "Crops per forward pass in evaluation.", "count", Defaults.EvaluationBatch);
        var output = Make("--out", "The study's directory: runs/, evaluations/, table3.html and table3.md (for table3). Studies of other tables share its runs. Run the same command again to continue a stopped study.", "dir", Defaults.OutputDirectory);

        var command = new Command("experiment",
            "Reproduce one of the paper's experiments (Tables 3 to 6) and report our errors beside the paper's; resumable, finished runs reused.");
        command.Arguments.Add(table);
        var devices = new DeviceOptions();
        devices.AddTo(command);
        foreach (Option option in (Option[])[data, width, epochs, seeds, input, head.Option, init.Option, lr, batch, limit, validationLimit, evaluationLimit, workers, evaluationBatch, output])
            command.Options.Add(option);

        command.SetAction(parseResult =>
        {
            var writer = parseResult.InvocationConfiguration.Output;
            var errors = parseResult.InvocationConfiguration.Error;
            using var device = new DefaultBackendScope(devices.Read(parseResult, errors));
            var options = new ExperimentOptions
            {
                Data = parseResult.GetValue(data)!, Width = parseResult.GetValue(width), Epochs = parseResult.GetValue(epochs), Seeds = parseResult.GetValue(seeds),
                CropSize = parseResult.GetValue(input), Head = head.Read(parseResult), Init = init.Read(parseResult), LearningRate = parseResult.GetValue(lr),
                BatchSize = parseResult.GetValue(batch), Limit = parseResult.GetValue(limit), ValidationLimit = parseResult.GetValue(validationLimit),
                EvaluationLimit = parseResult.GetValue(evaluationLimit),
                Workers = parseResult.GetValue(workers), EvaluationBatch = parseResult.GetValue(evaluationBatch), OutputDirectory = parseResult.GetValue(output)!,
                CommandLine = "vggsharp " + string.Join(' ', parseResult.Tokens.Select(t => t.Value.Contains(' ') ? $"'{t.Value}'" : t.Value)),
            };
            var progress = new ProgressReporter(writer, isTerminal: ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected);
            using var cancellation = new CancellationTokenSource();
            ConsoleCancelEventHandler onCtrlC = (_, e) =>
            {
                e.Cancel = true;
                cancellation.Cancel();
            };
            Console.CancelKeyPress += onCtrlC;
            using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
            {
                context.Cancel = true;
                cancellation.Cancel();
            });
            try
            {
                var result = ExperimentRunner.Run(TableNames[parseResult.GetRequiredValue(table)], options, progress, cancellation.Token);
                writer.WriteLine();
                writer.Write(StudyReport.RenderMarkdown(result));
                writer.WriteLine($"Report:   {result.ReportPath}");
                writer.WriteLine($"Markdown: {result.MarkdownPath}");
                return Cli.Success;
            }
            catch (OperationCanceledException)
            {
                errors.WriteLine("Stopped; finished runs and the interrupted run's checkpoint are saved. Run the same command again to continue.");
                return Cli.Interrupted;
            }
            catch (Exception e) when (e is TrainingDivergedException or InvalidOperationException)
            {
                errors.WriteLine($"error: {e.Message}");
                return Cli.Failure;
            }
            finally
            {
                Console.CancelKeyPress -= onCtrlC;
            }
        });
        return command;
    }
}
