using System.Runtime.InteropServices;

namespace VggSharp.Kernels.Cuda;

/// <summary>
/// cudnnConvolutionFwdAlgoPerf_t, and the backward-data and backward-filter structs, which share its layout:
/// algo, status, time (ms), memory (size_t), determinism, mathType, int reserved[3].
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ConvolutionAlgorithmPerformance
{
    public int Algorithm;
    public int Status;
    public float Time;
    public nuint Memory;
    public int Determinism;
    public int MathType;
    public int Reserved0, Reserved1, Reserved2;
}
