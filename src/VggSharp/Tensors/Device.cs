using System.Globalization;

namespace VggSharp.Tensors;

/// <summary>A device memory lives on, written as PyTorch writes it: "cpu", "cuda:0".</summary>
/// <param name="Kind">The kind of processor.</param>
/// <param name="Index">Which one of its kind (0 for the host).</param>
public readonly record struct Device(DeviceKind Kind, int Index)
{
    /// <summary>Host memory.</summary>
    public static Device Cpu { get; } = new(DeviceKind.Cpu, 0);

    /// <summary>GPU number <paramref name="index"/>.</summary>
    public static Device Cuda(int index) => new(DeviceKind.Cuda, index);

    /// <summary>True for host memory, whose elements the CPU reads directly.</summary>
    public bool IsHost => Kind == DeviceKind.Cpu;

    /// <inheritdoc />
    public override string ToString() => IsHost ? "cpu" : $"cuda:{Index.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Reads "cpu", "cuda" (GPU 0) or "cuda:N".</summary>
    /// <exception cref="FormatException">For anything else.</exception>
    public static Device Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text == "cpu") return Cpu;
        if (text == "cuda") return Cuda(0);
        if (text.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(text.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out int index))
            return Cuda(index);
        throw new FormatException($"Unknown device \"{text}\": expected cpu, cuda or cuda:N.");
    }
}
