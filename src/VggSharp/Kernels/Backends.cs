using VggSharp.Kernels.Fast;
using VggSharp.Kernels.Reference;

namespace VggSharp.Kernels;

/// <summary>The backends available, and the one networks use unless told otherwise.</summary>
public static class Backends
{
    /// <summary>The plain-loop oracle.</summary>
    public static IBackend Reference { get; } = new ReferenceBackend();

    /// <summary>The vectorised, multi-threaded backend on all processors.</summary>
    public static IBackend Fast { get; } = new FastBackend();

    /// <summary>The backend new networks run on: <see cref="Fast"/> unless set otherwise.</summary>
    public static IBackend Default { get; set; } = Fast;
}
