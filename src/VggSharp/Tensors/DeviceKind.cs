namespace VggSharp.Tensors;

/// <summary>The kind of processor a tensor's memory belongs to.</summary>
public enum DeviceKind
{
    /// <summary>Host memory, read by the CPU backends.</summary>
    Cpu,

    /// <summary>The memory of an NVIDIA GPU.</summary>
    Cuda,
}
