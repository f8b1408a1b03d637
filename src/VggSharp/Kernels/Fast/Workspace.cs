namespace VggSharp.Kernels.Fast;

/// <summary>
/// Per-thread scratch buffers. A thread runs one kernel piece at a time, so thread-local buffers need no locks,
/// and each kind has its own buffer because a caller may hold columns while its GEMM packs panels.
/// </summary>
internal static unsafe class Workspace
{
    [ThreadStatic] private static AlignedBuffer? s_packedA;
    [ThreadStatic] private static AlignedBuffer? s_packedB;
    [ThreadStatic] private static AlignedBuffer? s_columns;
    [ThreadStatic] private static AlignedBuffer? s_outputs;
    [ThreadStatic] private static AlignedBuffer? s_scratch;

    /// <summary>Packed panels of the GEMM's left operand.</summary>
    public static float* PackedA(int length) => (s_packedA ??= new AlignedBuffer()).Get(length);

    /// <summary>Packed panels of the GEMM's right operand.</summary>
    public static float* PackedB(int length) => (s_packedB ??= new AlignedBuffer()).Get(length);

    /// <summary>The im2col matrix of a convolution tile.</summary>
    public static float* Columns(int length) => (s_columns ??= new AlignedBuffer()).Get(length);

    /// <summary>A chunk's outputs or output gradients as the channel-major matrix its GEMM writes or reads.</summary>
    public static float* ChunkOutputs(int length) => (s_outputs ??= new AlignedBuffer()).Get(length);

    /// <summary>Temporaries of the element-wise kernels.</summary>
    public static float* Scratch(int length) => (s_scratch ??= new AlignedBuffer()).Get(length);
}
