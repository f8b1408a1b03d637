using System.Runtime.InteropServices;

namespace VggSharp.Transfer;

/// <summary>
/// The parts of liblinear's C API (linear.h, version 2.3 as Debian's liblinear4 ships it) that training a linear SVM
/// needs. liblinear's dual solvers shuffle with C's rand(), so a caller seeds it with srand (also here) and trains
/// one model at a time to get the same weights on every run.
/// </summary>
internal static unsafe partial class LibLinearNative
{
    /// <summary>The library's soname, as Debian's liblinear4 package installs it.</summary>
    public const string Library = "liblinear.so.4";

    /// <summary>The C library, whose rand() liblinear draws from.</summary>
    private const string C = "libc.so.6";

    /// <summary>L2R_L1LOSS_SVC_DUAL: the L2-regularised SVM with the hinge loss, solved in the dual.</summary>
    public const int HingeLossDual = 3;

    /// <summary>struct feature_node: a 1-based feature index and its value; index -1 ends a row.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct FeatureNode
    {
        /// <summary>The 1-based feature index, or -1 at the end of a row.</summary>
        public int Index;

        /// <summary>The value.</summary>
        public double Value;
    }

    /// <summary>struct problem: l rows of n features, their targets and the bias feature's value.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Problem
    {
        /// <summary>Rows.</summary>
        public int L;

        /// <summary>Features, the bias one included.</summary>
        public int N;

        /// <summary>Each row's target (+1 or -1).</summary>
        public double* Y;

        /// <summary>Each row's first node.</summary>
        public FeatureNode** X;

        /// <summary>The bias feature's value, or negative for none.</summary>
        public double Bias;
    }

    /// <summary>struct parameter of liblinear 2.3.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Parameter
    {
        /// <summary>The solver.</summary>
        public int SolverType;

        /// <summary>The stopping tolerance.</summary>
        public double Eps;

        /// <summary>The cost of a margin violation.</summary>
        public double C;

        /// <summary>Per-class weights of C: none here.</summary>
        public int NrWeight;

        /// <summary>Unused (no per-class weights).</summary>
        public int* WeightLabel;

        /// <summary>Unused (no per-class weights).</summary>
        public double* Weight;

        /// <summary>The epsilon of support vector regression: unused.</summary>
        public double P;

        /// <summary>A starting solution: none.</summary>
        public double* InitSol;
    }

    [LibraryImport(Library, EntryPoint = "train")]
    public static partial nint Train(Problem* problem, Parameter* parameter);

    [LibraryImport(Library, EntryPoint = "check_parameter")]
    public static partial byte* CheckParameter(Problem* problem, Parameter* parameter);

    [LibraryImport(Library, EntryPoint = "get_nr_class")]
    public static partial int ClassCount(nint model);

    [LibraryImport(Library, EntryPoint = "get_labels")]
    public static partial void Labels(nint model, int* labels);

    [LibraryImport(Library, EntryPoint = "get_decfun_coef")]
    public static partial double Coefficient(nint model, int featureIndex, int labelIndex);

    [LibraryImport(Library, EntryPoint = "get_decfun_bias")]
    public static partial double Bias(nint model, int labelIndex);

    [LibraryImport(Library, EntryPoint = "free_and_destroy_model")]
    public static partial void FreeModel(nint* model);

    [LibraryImport(Library, EntryPoint = "set_print_string_function")]
    public static partial void SetPrint(delegate* unmanaged<byte*, void> print);

    [LibraryImport(C, EntryPoint = "srand")]
    public static partial void SeedRandom(uint seed);

    /// <summary>liblinear's progress lines (iterations, warnings about the iteration limit), dropped.</summary>
    [UnmanagedCallersOnly]
    public static void Quiet(byte* message)
    {
    }
}
