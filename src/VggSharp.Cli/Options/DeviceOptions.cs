using System.CommandLine;
using VggSharp.Kernels.Cuda;
using VggSharp.Tensors;

namespace VggSharp.Cli.Options;

/// <summary>
/// --device (cpu, cuda, cuda:N or auto), --precision (fp32, tf32 or bf16), --channels-last and --deterministic, shared by the commands that run a network.
/// auto, the default, takes CUDA device 0 when it is usable and the CPU otherwise; --device cpu never loads a CUDA
/// library. When a GPU is taken, one line on standard error says which. Under mpirun, cuda and auto spread the ranks
/// on a machine over its GPUs.
/// </summary>
internal sealed class DeviceOptions
{
    private readonly Option<string> _device = new("--device")
    {
        Description = "Where the network runs: cpu, cuda (cuda:0), cuda:N, or auto (the GPU when one is usable, else the CPU).",
        HelpName = "cpu|cuda|cuda:N|auto",
        DefaultValueFactory = _ => "auto",
    };

    private readonly EnumOption<CudaPrecision> _precision = new("--precision",
        "Arithmetic on a GPU: tf32 (tensor cores for convolutions and fully-connected layers, as PyTorch's cuDNN default), fp32 (strict), "
        + "or bf16 (mixed precision as PyTorch's bfloat16 autocast with channels-last tensors: bf16 activations and tensor cores, float32 "
        + "weights, gradients, batch-norm statistics and loss).",
        CudaPrecision.Tf32);

    private readonly Option<bool> _channelsLast = new("--channels-last")
    {
        Description = "On a GPU, keep image activations channels last (NHWC), as PyTorch's torch.channels_last: VGG-16 at 224 in tf32 runs "
            + "1.25x faster on an H200, small batch-norm networks slower; bf16 always does.",
    };

    private readonly Option<bool> _deterministic = new("--deterministic")
    {
        Description = "On a GPU, deterministic cuDNN algorithms only (slower for some layers): the same run gives the same bits, and a resumed "
            + "training run ends bit-identical to an uninterrupted one. The CPU is always deterministic.",
    };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_device);
        command.Options.Add(_precision.Option);
        command.Options.Add(_channelsLast);
        command.Options.Add(_deterministic);
    }

    /// <summary>
    /// The CUDA backend the command line asks for, or null for the CPU. An explicit cuda device that is not usable is an
    /// <see cref="ArgumentException"/> with one line saying why; auto falls back to the CPU silently. cuda and auto name
    /// no GPU: a single process takes GPU 0, and under mpirun the process with rank <paramref name="processOnMachine"/>
    /// among the job's processes on its machine takes GPU <see cref="GpuOf"/> (cuda:N is every rank's GPU N).
    /// </summary>
    public CudaBackend? Read(ParseResult parseResult, TextWriter error, int? processOnMachine = null)
    {
        string text = parseResult.GetRequiredValue(_device);
        var precision = _precision.Read(parseResult);
        bool deterministic = parseResult.GetValue(_deterministic);
        bool channelsLast = parseResult.GetValue(_channelsLast);
        CudaBackend? backend;
        if (text == "auto")
        {
            try
            {
                backend = CudaBackend.Create(UnnamedGpu(processOnMachine), precision, deterministic, channelsLast);
            }
            catch (InvalidOperationException)
            {
                return null;
            }
        }
        else
        {
            var device = Device.Parse(text);
            if (device.IsHost) return null;
            try
            {
                backend = CudaBackend.Create(text == "cuda" ? UnnamedGpu(processOnMachine) : device.Index, precision, deterministic, channelsLast);
            }
            catch (InvalidOperationException e)
            {
                throw new ArgumentException($"--device {text}: {e.Message}", e);
            }
        }
        error.WriteLine($"device: {backend.Device} ({backend.DeviceName}), precision {precision.ToString().ToLowerInvariant()}"
            + (backend.ChannelsLast ? ", channels last" : "") + (deterministic ? ", deterministic algorithms" : ""));
        return backend;
    }

    /// <summary>
    /// The GPU that process <paramref name="processOnMachine"/> of a job takes on a machine with <paramref name="gpus"/>:
    /// the processes take the GPUs in turn, and share them round-robin when they outnumber them. With no GPU, GPU 0,
    /// whose absence the backend then reports.
    /// </summary>
    internal static int GpuOf(int processOnMachine, int gpus)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(processOnMachine);
        ArgumentOutOfRangeException.ThrowIfNegative(gpus);
        return gpus == 0 ? 0 : processOnMachine % gpus;
    }

    /// <summary>The GPU that cuda and auto mean: GPU 0 for a single process, <see cref="GpuOf"/> under mpirun (counting the GPUs only then).</summary>
    private static int UnnamedGpu(int? processOnMachine) => processOnMachine is int rank ? GpuOf(rank, CudaBackend.DeviceCount()) : 0;
}
