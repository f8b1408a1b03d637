namespace VggSharp.Kernels.Cuda;

/// <summary>One version of a CUDA library: its main file and the files (patterns with * allowed) preloaded before it from the same folder.</summary>
/// <param name="MainFile">The versioned file name, e.g. libcudnn.so.9.</param>
/// <param name="Dependencies">Files the main one opens by name at run time, in loading order.</param>
internal sealed record LibraryVersion(string MainFile, IReadOnlyList<string> Dependencies);
