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
    [ThreadStatic] private static AlignedBuffer? s_filterGradientParts;
    [ThreadStatic] private static AlignedBuffer? s_winogradFilters;
    [ThreadStatic] private static AlignedBuffer? s_winogradInputs;
    [ThreadStatic] private static AlignedBuffer? s_winogradProducts;
    [ThreadStatic] private static AlignedBuffer? s_winogradStage;

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

    /// <summary>Partial filter gradients of a backward filter whose sum over tiles is split.</summary>
    public static float* FilterGradientParts(int length) => (s_filterGradientParts ??= new AlignedBuffer()).Get(length);

    /// <summary>Winograd-transformed filters (or their gradients), packed for the GEMM, one matrix per point.</summary>
    public static float* WinogradFilters(long length) => (s_winogradFilters ??= new AlignedBuffer()).Get(checked((int)length));

    /// <summary>A block of Winograd-transformed inputs, one matrix per point.</summary>
    public static float* WinogradInputs(long length) => (s_winogradInputs ??= new AlignedBuffer()).Get(checked((int)length));

    /// <summary>A block of per-point products (or transformed output gradients), one matrix per point.</summary>
    public static float* WinogradProducts(long length) => (s_winogradProducts ??= new AlignedBuffer()).Get(checked((int)length));

    /// <summary>One channel's tiles between pixels and points, and a row of pixels.</summary>
    public static float* WinogradStage(int length) => (s_winogradStage ??= new AlignedBuffer()).Get(length);
}
