using System.CommandLine;
using VggSharp.Kernels.Cuda;
using VggSharp.Tensors;

namespace VggSharp.Cli.Options;

/// <summary>
/// --device (cpu, cuda, cuda:N or auto), --precision (fp32 or tf32) and --deterministic, shared by the commands that run a network.
/// auto, the default, takes CUDA device 0 when it is usable and the CPU otherwise; --device cpu never loads a CUDA
/// library. When a GPU is taken, one line on standard error says which.
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
        "Arithmetic of convolutions and fully-connected layers on a GPU: tf32 (tensor cores, as PyTorch's cuDNN default) or fp32 (strict).",
        CudaPrecision.Tf32);

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
        command.Options.Add(_deterministic);
    }

    /// <summary>
    /// The CUDA backend the command line asks for, or null for the CPU. An explicit cuda device that is not usable is an
    /// <see cref="ArgumentException"/> with one line saying why; auto falls back to the CPU silently.
    /// </summary>
    public CudaBackend? Read(ParseResult parseResult, TextWriter error)
    {
        string text = parseResult.GetRequiredValue(_device);
        var precision = _precision.Read(parseResult);
        bool deterministic = parseResult.GetValue(_deterministic);
        CudaBackend? backend;
        if (text == "auto")
        {
            try
            {
                backend = CudaBackend.Create(0, precision, deterministic);
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
                backend = CudaBackend.Create(device.Index, precision, deterministic);
            }
            catch (InvalidOperationException e)
            {
                throw new ArgumentException($"--device {text}: {e.Message}", e);
            }
        }
        error.WriteLine($"device: {backend.Device} ({backend.DeviceName}), precision {precision.ToString().ToLowerInvariant()}"
            + (deterministic ? ", deterministic algorithms" : ""));
        return backend;
    }
}
