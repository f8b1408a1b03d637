using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using VggSharp.Cli.Options;
using VggSharp.Distributed;
using VggSharp.Interop;
using VggSharp.Localisation;
using VggSharp.Models;
using VggSharp.Training;

namespace VggSharp.Cli.Commands;

/// <summary>
/// "vggsharp train": trains a VGG network with the paper's recipe. With no arguments it is the project's main job:
/// VGG-16 with batch norm, a quarter of the paper's width, on Fashion-MNIST (see <see cref="TrainingOptions"/> and
/// <see cref="TrainingSource"/>). Its options bind to the parts of those, whose defaults the help shows.
/// </summary>
internal static class TrainCommand
{
    private static readonly TrainingOptions Defaults = new();
    private static readonly TrainingSource DefaultSource = new();

    public static Command Create()
    {
        Option<T> Make<T>(string name, string description, string helpName, T defaultValue) =>
            new(name) { Description = description, HelpName = helpName, DefaultValueFactory = _ => defaultValue };
        var data = Make("--data", "fashion-mnist, or a folder with train/ (a subfolder per class) and val/ (the same, or flat with labels.txt).", "fashion-mnist|path", DefaultSource.Data);
        // Classes and channels come from the data (TrainingSource.InputChannels: 1 for Fashion-MNIST, 3 for image folders).
        var model = new ModelOptions(DefaultSource.Model, offerClassesAndChannels: false);
        var epochs = Make("--epochs", "The epoch limit.", "count", Defaults.Schedule.MaxEpochs);
        var batch = Make("--batch", "Images per optimisation step.", "count", Defaults.Loader.BatchSize);
        var microBatch = new Option<int?>("--micro-batch") { Description = "Images per forward/backward pass; larger batches accumulate gradients.", HelpName = "count" };
        var lr = Make("--lr", "Initial learning rate; divided by 10 when validation accuracy stops improving, at most 3 times.", "rate", Defaults.Schedule.InitialLearningRate);
        var momentum = Make("--momentum", "SGD momentum.", "value", Defaults.Optimizer.Momentum);
        var weightDecay = Make("--weight-decay", "L2 weight decay.", "value", Defaults.Optimizer.WeightDecay);
        var dropout = Make("--dropout", "Dropout after fc6 and fc7.", "probability", DefaultSource.Model.Dropout);
        var patience = Make("--patience", "Epochs without improvement before the learning rate is divided by 10.", "epochs", Defaults.Schedule.Patience);
        var minImprovement = Make("--min-improvement", "Gain in validation accuracy (a fraction) that counts as an improvement.", "fraction", Defaults.Schedule.MinImprovement);
        var anneal = Make("--anneal-epochs", "The rate is divided by 10 once more for the last N epochs before the limit (0: the plateau rule alone).", "count", Defaults.Schedule.AnnealEpochs);
        var scale = new Option<int?>("--scale") { Description = "A fixed training scale S (the images' smallest side before cropping).", HelpName = "S" };
        var scaleMin = Make("--scale-min", "The smallest S of scale jittering.", "S", Defaults.Augmentation.MinScale);
        var scaleMax = Make("--scale-max", "The largest S of scale jittering.", "S", Defaults.Augmentation.MaxScale);
        var colourShift = Make("--colour-shift", "Standard deviation of the RGB colour shift (0 turns it off).", "sigma", Defaults.Augmentation.ColourShiftSigma);
        var init = new EnumOption<InitScheme>("--init", "Weight initialisation: paper (N(0, 0.01)), glorot or kaiming.", DefaultSource.Init);
        var initFrom = new Option<string?>("--init-from") { Description = "A trained model (VggSharp safetensors, a PyTorch .pth, a Caffe .caffemodel, a Keras .h5, a MatConvNet .mat or an ONNX graph): the same configuration is fine-tuned, a shallower one warm-starts this one, a file of convolutions only (Keras's _notop .h5) starts the convolutions.", HelpName = "weights" };
        var seed = Make("--seed", "The seed every random choice derives from.", "n", Defaults.Seed);
        var limit = new Option<int?>("--limit") { Description = "Train on the first N training images only.", HelpName = "N" };
        var classes = ClassSubsetOption.Create("Train and validate on");
        var perClass = new Option<int?>("--per-class")
        {
            Description = "Train on N images per class only, drawn at random as split --split of vggsharp transfer --per-class N draws them.", HelpName = "N",
        };
        var split = Make("--split", "Which random split --per-class draws (0, 1, ...).", "k", DefaultSource.Split);
        var validationLimit = new Option<int?>("--val-limit") { Description = "Validate on the first N validation images only.", HelpName = "N" };
        var workers = Make("--workers", "Background threads that decode and augment.", "count", Defaults.Loader.Workers);
        var output = Make("--out", "The run directory.", "dir", Defaults.OutputDirectory);
        var resume = new Option<string?>("--resume") { Description = "Continue the run in this directory from its checkpoint (other options are the run's own).", HelpName = "dir" };
        var mpiTimeout = Make("--mpi-timeout", "Under mpirun: seconds a rank waits for the others before it stops the whole job.", "seconds", 300.0);
        var task = TaskOption.Create();
        var regression = new Option<string>("--regression")
        {
            Description = "With --task localisation: scr (one box for all classes) or pcr (a box per class).", HelpName = "scr|pcr", DefaultValueFactory = _ => "pcr",
        };
        regression.AcceptOnlyFromAmong(StringComparer.OrdinalIgnoreCase, ["scr", "pcr"]);
        var fineTune = new Option<string>("--fine-tune")
        {
            Description = "With --task localisation: all layers learn, or fc (the fully-connected layers only).", HelpName = "all|fc", DefaultValueFactory = _ => "all",
        };
        fineTune.AcceptOnlyFromAmong(StringComparer.OrdinalIgnoreCase, ["all", "fc"]);
        var bucketSize = Make("--bucket-mb", "Under mpirun: the gradient bucket, in MiB, summed across ranks by one operation.", "MiB", (double)GradientReducer.DefaultBucketBytes / (1 << 20));

        var command = new Command("train", "Train a VGG network with the paper's recipe (section 3.1). With no options: VGG-16-BN at width 0.25 on Fashion-MNIST.");
        Option[] training = [epochs, batch, microBatch, lr, momentum, weightDecay, dropout, patience, minImprovement,
            anneal, scale, scaleMin, scaleMax, colourShift, init.Option, initFrom, seed, limit, classes, perClass, split, validationLimit, workers, output, task.Option, regression, fineTune];
        command.Options.Add(data);
        model.AddTo(command);
        // What defines a run: a resumed run keeps its own, so these are ignored with --resume (and it says so).
        var runOptions = command.Options.Concat(training).ToList();
        var devices = new DeviceOptions();
        devices.AddTo(command);
        foreach (Option option in training.Concat([resume, mpiTimeout, bucketSize])) command.Options.Add(option);

        command.SetAction(parseResult =>
        {
            double timeout = parseResult.GetValue(mpiTimeout), bucketMiB = parseResult.GetValue(bucketSize);
            if (!(timeout > 0 && timeout <= TimeSpan.MaxValue.TotalSeconds)) throw new ArgumentException($"--mpi-timeout must be a positive number of seconds, got {timeout}.");
            if (!(bucketMiB * (1 << 20) >= sizeof(float) && bucketMiB <= 1024)) throw new ArgumentException($"--bucket-mb must be in (0, 1024], got {bucketMiB}.");
            // Under mpirun every rank runs this command; rank 0 alone talks to the user (a rank that fails on its own says so before it stops the job).
            if (!TryJoinMpiJob(parseResult.InvocationConfiguration.Error, TimeSpan.FromSeconds(timeout), out var communicator)) return Cli.Failure;
            using var job = communicator;
            var distributed = communicator is null ? null : new DistributedOptions { Communicator = communicator, BucketBytes = (int)(bucketMiB * (1 << 20)) & ~3 };
            bool speaks = communicator is not { Rank: > 0 };
            var writer = speaks ? parseResult.InvocationConfiguration.Output : TextWriter.Null;
            var errors = speaks ? parseResult.InvocationConfiguration.Error : TextWriter.Null;
            // Under mpirun, each rank on a machine takes its own GPU there (rank mod the GPUs) unless --device names one.
            using var device = new DefaultBackendScope(devices.Read(parseResult, errors, communicator?.LocalRank));
            var progress = new ProgressReporter(writer, isTerminal: ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected);
            if (communicator is not null) progress.Message($"Data-parallel training on {communicator.Size} processes (mpirun); rank 0 writes the run directory.");
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
            // Without --out, a repeated main job gets a fresh directory rather than refusing to overwrite the last run.
            bool outGiven = parseResult.GetResult(output) is { Implicit: false };
            string runDirectory = parseResult.GetValue(resume) ?? (outGiven ? parseResult.GetValue(output)! : FreshDirectory(parseResult.GetValue(output)!));
            try
            {
                TrainingResult result;
                if (parseResult.GetValue(resume) is not null)
                {
                    var ignored = runOptions.Where(o => parseResult.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToList();
                    if (ignored.Count > 0)
                        progress.Message($"warning: --resume continues the run with the options it was started with; ignored: {string.Join(", ", ignored)}.");
                    result = TrainingLaunch.Resume(runDirectory, progress, cancellation.Token, distributed);
                }
                else
                {
                    int? fixedScale = parseResult.GetValue(scale);
                    var options = Defaults with
                    {
                        Optimizer = new SgdOptions { Momentum = parseResult.GetValue(momentum), WeightDecay = parseResult.GetValue(weightDecay) },
                        Schedule = Defaults.Schedule with
                        {
                            InitialLearningRate = parseResult.GetValue(lr), Patience = parseResult.GetValue(patience),
                            MinImprovement = parseResult.GetValue(minImprovement), MaxEpochs = parseResult.GetValue(epochs), AnnealEpochs = parseResult.GetValue(anneal),
                        },
                        Augmentation = Defaults.Augmentation with
                        {
                            MinScale = fixedScale ?? parseResult.GetValue(scaleMin), MaxScale = fixedScale ?? parseResult.GetValue(scaleMax),
                            ColourShiftSigma = parseResult.GetValue(colourShift),
                        },
                        Loader = Defaults.Loader with
                        {
                            BatchSize = parseResult.GetValue(batch), MicroBatchSize = parseResult.GetValue(microBatch), Workers = parseResult.GetValue(workers),
                            Limit = parseResult.GetValue(limit),
                        },
                        Localisation = task.Read(parseResult) == TrainingTask.Classification ? null : new LocalisationObjective
                        {
                            Regression = parseResult.GetValue(regression)!.Equals("scr", StringComparison.OrdinalIgnoreCase) ? BoxRegression.SingleClass : BoxRegression.PerClass,
                            FullyConnectedOnly = parseResult.GetValue(fineTune)!.Equals("fc", StringComparison.OrdinalIgnoreCase),
                        },
                        Seed = parseResult.GetValue(seed), ValidationLimit = parseResult.GetValue(validationLimit), OutputDirectory = runDirectory,
                        Source = DefaultSource with
                        {
                            Data = parseResult.GetValue(data)!, Model = model.Read(parseResult) with { Dropout = parseResult.GetValue(dropout) },
                            Init = init.Read(parseResult), InitFrom = parseResult.GetValue(initFrom),
                            Classes = ClassSubsetOption.Read(parseResult, classes), PerClass = parseResult.GetValue(perClass), Split = parseResult.GetValue(split),
                        },
                    };
                    result = TrainingLaunch.Start(options, progress, cancellation.Token, distributed);
                }
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Finished after {result.Epochs} epochs ({result.StopReason}): validation top-1 error {result.ValidationTop1Error:P2}, top-5 error {result.ValidationTop5Error:P2}."));
                writer.WriteLine($"Model:  {result.ModelPath}");
                writer.WriteLine($"Report: {result.ReportPath}");
                return Cli.Success;
            }
            catch (OperationCanceledException)
            {
                errors.WriteLine($"Stopped; the checkpoint is saved. Resume with: vggsharp train --resume {runDirectory}");
                return Cli.Interrupted;
            }
            catch (Exception e) when (e is TrainingDivergedException or WeightsFormatException or InvalidOperationException or Data.ImageFormatException
                                          or NotSupportedException)
            {
                errors.WriteLine($"error: {e.Message}");
                return Cli.Failure;
            }
            catch (Exception) when (!speaks)
            {
                // Rank 0 reports the failures every rank meets (a bad option, say); the others stop quietly.
                return Cli.Failure;
            }
            finally
            {
                Console.CancelKeyPress -= onCtrlC;
            }
        });
        return command;
    }

    /// <summary>Joins the MPI job when mpirun started this process (MPI_Init); otherwise gives null without loading libmpi.</summary>
    private static bool TryJoinMpiJob(TextWriter errors, TimeSpan timeout, out MpiCommunicator? communicator)
    {
        try
        {
            communicator = MpiCommunicator.FromEnvironment(timeout, errors);
            return true;
        }
        catch (InvalidOperationException e)
        {
            errors.WriteLine($"error: {e.Message}");
            communicator = null;
            return false;
        }
    }

    private static string FreshDirectory(string preferred)
    {
        string candidate = preferred;
        for (int n = 2; Trainer.HoldsRun(candidate); n++) candidate = $"{preferred}-{n}";
        return candidate;
    }
}
