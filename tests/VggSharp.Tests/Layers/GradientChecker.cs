using VggSharp.Layers;
using VggSharp.Tensors;
using Xunit;

namespace VggSharp.Tests.Layers;

/// <summary>
/// Finite-difference gradient checks of a layer's Backward. The scalar loss is L = sum(output * R) for a fixed random
/// R, so dL/doutput = R. Central differences of L with respect to sampled elements of the input and of every
/// parameter are formed in double (the loss summed in double, divided by the step the float values actually took)
/// and compared with the analytic gradients.
/// </summary>
internal static class GradientChecker
{
    /// <summary>
    /// The relative difference tolerated between a numeric and an analytic derivative: above the float rounding left
    /// in the central differences of these small layers, and well under the 1% error a check must catch
    /// (<see cref="GradientCheckTests.APlantedOnePercentErrorIsReported"/>).
    /// </summary>
    public const double Tolerance = 3e-3;

    /// <summary>Derivatives smaller than this are compared as if they were this size, since rounding, not the gradient, dominates there.</summary>
    private const double Floor = 0.1;

    /// <summary>The key of the input's gradient among <see cref="AnalyticGradients"/>; parameters go by their names.</summary>
    public const string InputKey = "input";

    /// <summary>Asserts that Backward agrees with central differences for the input and every parameter.</summary>
    public static void Check(Layer layer, Tensor input, ForwardContext context, double epsilon = 1e-2, int samples = 24)
    {
        var mismatches = Mismatches(layer, input, context, AnalyticGradients(layer, input, context), epsilon, samples);
        Assert.True(mismatches.Count == 0, string.Join(Environment.NewLine, mismatches));
    }

    /// <summary>The gradients of L as Backward computes them: the input's under <see cref="InputKey"/>, then each parameter's by name.</summary>
    public static Dictionary<string, float[]> AnalyticGradients(Layer layer, Tensor input, ForwardContext context)
    {
        using var pristine = input.Clone();
        foreach (var p in layer.Parameters) p.Gradient.Clear();
        layer.Forward(input, context);
        using var gradOutput = Projection(layer, input);
        var gradients = new Dictionary<string, float[]> { [InputKey] = layer.Backward(gradOutput, computeInputGradient: true)!.ToArray() };
        foreach (var p in layer.Parameters) gradients.Add(p.Name, p.Gradient.ToArray());
        input.CopyFrom(pristine);
        return gradients;
    }

    /// <summary>
    /// Each sampled derivative where <paramref name="analytic"/> (as <see cref="AnalyticGradients"/> gives it) and
    /// central differences disagree beyond <see cref="Tolerance"/>, as "d/dname[i]: numeric …, analytic …".
    /// </summary>
    public static List<string> Mismatches(Layer layer, Tensor input, ForwardContext context, IReadOnlyDictionary<string, float[]> analytic,
        double epsilon = 1e-2, int samples = 24)
    {
        using var pristine = input.Clone();
        using var projection = Projection(layer, input);
        var r = projection.ToArray();

        double Loss()
        {
            input.CopyFrom(pristine);
            var o = layer.Forward(input, context).ToArray();
            double sum = 0;
            for (int i = 0; i < o.Length; i++) sum += (double)o[i] * r[i];
            return sum;
        }

        var mismatches = new List<string>();
        foreach (var (name, values) in layer.Parameters.Select(p => (p.Name, p.Value)).Prepend((InputKey, pristine)))
        {
            foreach (int i in SampledIndices(values.Length, samples))
            {
                double numeric = CentralDifference(values, i, epsilon, Loss);
                if (!Agree(numeric, analytic[name][i])) mismatches.Add($"d/d{name}[{i}]: numeric {numeric:G6}, analytic {analytic[name][i]:G6}");
            }
        }
        input.CopyFrom(pristine);
        return mismatches;
    }

    /// <summary>dL/dvalues[i] by central differences, over the step the float value actually takes.</summary>
    public static double CentralDifference(Tensor values, int i, double epsilon, Func<double> loss)
    {
        float saved = values.Span[i];
        float plus = (float)(saved + epsilon), minus = (float)(saved - epsilon);
        values.Span[i] = plus;
        double lossPlus = loss();
        values.Span[i] = minus;
        double lossMinus = loss();
        values.Span[i] = saved;
        return (lossPlus - lossMinus) / ((double)plus - minus);
    }

    /// <summary>Whether a numeric and an analytic derivative agree within <see cref="Tolerance"/>, relative to the larger (at least <see cref="Floor"/>).</summary>
    public static bool Agree(double numeric, double analytic) =>
        Math.Abs(numeric - analytic) <= Tolerance * Math.Max(Math.Max(Math.Abs(numeric), Math.Abs(analytic)), Floor);

    /// <summary>R: fixed random weights of the output, the gradient of L with respect to it.</summary>
    private static Tensor Projection(Layer layer, Tensor input) => TestData.Random(1234, layer.OutputShape(input.Shape).ToArray());

    private static IEnumerable<int> SampledIndices(int length, int samples)
    {
        var rng = new Random(99);
        return length <= samples ? Enumerable.Range(0, length) : Enumerable.Range(0, samples).Select(_ => rng.Next(length));
    }
}
