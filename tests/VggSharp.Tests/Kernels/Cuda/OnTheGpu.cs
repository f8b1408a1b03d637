using Xunit;

namespace VggSharp.Tests.Kernels.Cuda;

/// <summary>
/// Test classes that run work on the GPU belong to this collection, which xunit runs alone: a CUDA backend queues all
/// its work on one stream with one cuDNN and one cuBLAS handle, which are not for use from two threads at once.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OnTheGpu
{
    public const string Name = "On the GPU";
}
