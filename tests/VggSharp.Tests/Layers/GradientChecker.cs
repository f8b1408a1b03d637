using VggSharp.Layers;
using VggSharp.Tensors;
using Xunit;

namespace VggSharp.Tests.Layers;

/// <summary>
/// Finite-difference gradient checks of a layer's Backward. The scalar loss is L = sum(output * R) for a fixed random
/// R, so dL/doutput = R; central differences of L with respect to sampled elements of the input and of every
/// parameter are compared with the analytic gradients.
/// </summary>
internal static class GradientChecker
{
    public static void Check(Layer layer, Tensor input, ForwardContext context, double epsilon = 1e-2, double tolerance = 2e-2, int samples = 24)
    {
        using var pristine = input.Clone();
        var outputShape = layer.OutputShape(input.Shape);
        using var weights = TestData.Random(1234, outputShape.ToArray());

        double Loss()
        {
            input.CopyFrom(pristine);
            var output = layer.Forward(input, context);
            double sum = 0;
            var (o, r) = (output.ToArray(), weights.ToArray());
            for (int i = 0; i < o.Length; i++) sum += (double)o[i] * r[i];
            return sum;
        }

        foreach (var p in layer.Parameters) p.Gradient.Clear();
        input.CopyFrom(pristine);
        layer.Forward(input, context);
        using var gradOutput = weights.Clone();
        var gradInput = layer.Backward(gradOutput, computeInputGradient: true)!.ToArray();

        CompareAt("input", pristine, gradInput, i =>
        {
            float saved = pristine.Span[i];
            pristine.Span[i] = saved + (float)epsilon;
            double plus = Loss();
            pristine.Span[i] = saved - (float)epsilon;
            double minus = Loss();
            pristine.Span[i] = saved;
            return (plus - minus) / (2 * epsilon);
        }, tolerance, samples);

        foreach (var p in layer.Parameters)
        {
            var analytic = p.Gradient.ToArray();
            CompareAt(p.Name, p.Value, analytic, i =>
            {
                var v = p.Value.Span;
                float saved = v[i];
                v[i] = saved + (float)epsilon;
                double plus = Loss();
                v[i] = saved - (float)epsilon;
                double minus = Loss();
                v[i] = saved;
                return (plus - minus) / (2 * epsilon);
            }, tolerance, samples);
        }
    }

    private static void CompareAt(string what, Tensor values, float[] analytic, Func<int, double> numeric, double tolerance, int samples)
    {
        var rng = new Random(99);
        var indices = values.Length <= samples ? Enumerable.Range(0, values.Length) : Enumerable.Range(0, samples).Select(_ => rng.Next(values.Length));
        foreach (int i in indices)
        {
            double n = numeric(i), a = analytic[i];
            double scale = Math.Max(Math.Max(Math.Abs(n), Math.Abs(a)), 1e-1);
            Assert.True(Math.Abs(n - a) / scale < tolerance, $"d/d{what}[{i}]: numeric {n:G6}, analytic {a:G6}");
        }
    }
}
