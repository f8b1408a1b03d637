using System.Runtime.InteropServices;

namespace VggSharp.Transfer;

/// <summary>
/// One linear SVM (liblinear's L2-regularised hinge-loss SVM, solved in the dual): a weight per feature and a bias;
/// the score of a descriptor is their dot product plus the bias, positive on the class's side.
/// </summary>
public sealed class LinearSvm
{
    /// <summary>C's rand() is one state for the whole process: liblinear trains one model at a time, after srand.</summary>
    private static readonly Lock Native = new();

    private static bool s_quiet;

    private readonly double[] _weights;

    private LinearSvm(double[] weights, double bias) => (_weights, Bias) = (weights, bias);

    /// <summary>The weight of each feature.</summary>
    public IReadOnlyList<double> Weights => _weights;

    /// <summary>The bias: liblinear's weight of the constant feature times its value.</summary>
    public double Bias { get; }

    /// <summary>The score of <paramref name="descriptor"/>: positive means the class.</summary>
    public double Score(ReadOnlySpan<float> descriptor)
    {
        var weights = _weights;
        if (descriptor.Length != weights.Length) throw new ArgumentException($"A descriptor of {descriptor.Length} values for an SVM of {weights.Length}.", nameof(descriptor));
        double sum = Bias;
        for (int j = 0; j < descriptor.Length; j++) sum += weights[j] * descriptor[j];
        return sum;
    }

    /// <summary>
    /// Trains on <paramref name="features"/>' rows <paramref name="rows"/> with the rows where
    /// <paramref name="positive"/> holds as the class, at cost <paramref name="c"/>. The same inputs give the same weights.
    /// </summary>
    public static LinearSvm Train(FeatureSet features, IReadOnlyList<int> rows, ReadOnlySpan<bool> positive, double c, double tolerance = 0.01)
    {
        using var problem = new SvmProblem(features, rows);
        return Train(problem, positive, c, tolerance);
    }

    /// <summary>Trains on a problem built once for several classes and values of C.</summary>
    internal static unsafe LinearSvm Train(SvmProblem problem, ReadOnlySpan<bool> positive, double c, double tolerance)
    {
        bool any = false, all = true;
        foreach (bool p in positive) (any, all) = (any | p, all & p);
        if (!any) throw new ArgumentException("No training image is of the class: an SVM needs some.");
        if (all) throw new ArgumentException("Every training image is of the class: an SVM needs images of other classes too.");
        var targets = problem.WithTargets(positive);
        var parameter = new LibLinearNative.Parameter { SolverType = LibLinearNative.HingeLossDual, Eps = tolerance, C = c };
        lock (Native)
        {
            try
            {
                if (!s_quiet)
                {
                    LibLinearNative.SetPrint(&LibLinearNative.Quiet);
                    s_quiet = true;
                }
                byte* problemText = LibLinearNative.CheckParameter(&targets, &parameter);
                if (problemText is not null) throw new ArgumentException($"liblinear refused the parameters: {Marshal.PtrToStringUTF8((nint)problemText)}.");
                // The dual solver visits the rows in an order drawn from rand(): a fixed seed gives fixed weights.
                LibLinearNative.SeedRandom(1);
                nint model = LibLinearNative.Train(&targets, &parameter);
                try
                {
                    return FromModel(model, problem.Dimension);
                }
                finally
                {
                    LibLinearNative.FreeModel(&model);
                }
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                throw new DllNotFoundException($"The SVM needs liblinear 2.x ({LibLinearNative.Library}, Debian's liblinear4: apt-get install liblinear4): {e.Message}", e);
            }
        }
    }

    /// <summary>The weights and bias of the class +1 in a two-class liblinear model.</summary>
    private static unsafe LinearSvm FromModel(nint model, int dimension)
    {
        if (LibLinearNative.ClassCount(model) != 2) throw new InvalidOperationException("liblinear returned a model without two classes.");
        int* labels = stackalloc int[2];
        LibLinearNative.Labels(model, labels);
        // liblinear orders the labels as the rows first show them; its decision function favours the first.
        int positive = labels[0] == 1 ? 0 : 1;
        var weights = new double[dimension];
        for (int j = 0; j < dimension; j++) weights[j] = LibLinearNative.Coefficient(model, j + 1, positive);
        return new LinearSvm(weights, LibLinearNative.Bias(model, positive));
    }
}
