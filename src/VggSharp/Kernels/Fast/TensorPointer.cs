using System.Runtime.CompilerServices;
using VggSharp.Tensors;

namespace VggSharp.Kernels.Fast;

/// <summary>Raw addresses of host tensor elements, for kernels that hand them to worker threads (spans cannot be captured).</summary>
internal static unsafe class TensorPointer
{
    /// <summary>The address of the first element; host tensors live in native memory, so it never moves.</summary>
    public static float* Data(this Tensor tensor) => (float*)Unsafe.AsPointer(ref tensor.Reference);
}
