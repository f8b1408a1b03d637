using VggSharp.Tensors;

namespace VggSharp.Kernels.Fast;

/// <summary>
/// Batch normalisation, parallel over channels: each channel's statistics are summed by one worker, plane by plane
/// in image order, so they do not depend on the thread count.
/// </summary>
internal static unsafe class BatchNormKernels
{
    public static void ForwardTraining(Workers workers, Tensor input, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVariance,
        float momentum, float epsilon, Tensor output, Tensor savedMean, Tensor savedInverseStd)
    {
        var job = new Training(input, gamma, beta, runningMean, runningVariance, momentum, epsilon, output, savedMean, savedInverseStd);
        workers.For(input.Shape[1], ref job);
    }

    private readonly struct Training(Tensor input, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVariance,
        float momentum, float epsilon, Tensor output, Tensor savedMean, Tensor savedInverseStd) : IWorkPiece
    {
        public void Run(int c)
        {
            var (batch, channels, spatial) = Dims(input);
            long count = (long)batch * spatial;
            float* x = input.Pointer(), y = output.Pointer();
            double sum = 0;
            for (int n = 0; n < batch; n++)
            {
                var plane = Plane(x, n, c, channels, spatial);
                sum += ElementWise.Sum(new FirstOperator(), plane, plane);
            }
            double mean = sum / count, squares = 0;
            for (int n = 0; n < batch; n++)
            {
                var plane = Plane(x, n, c, channels, spatial);
                squares += ElementWise.Sum(new SquaredDeviationOperator((float)mean), plane, plane);
            }
            double variance = squares / count, inverse = 1.0 / Math.Sqrt(variance + epsilon);
            var normalize = new NormalizeOperator((float)mean, (float)(inverse * gamma.Span[c]), beta.Span[c]);
            for (int n = 0; n < batch; n++)
            {
                var plane = Plane(x, n, c, channels, spatial);
                ElementWise.Apply(normalize, plane, plane, new Span<float>(y + ((long)n * channels + c) * spatial, spatial));
            }
            savedMean.Span[c] = (float)mean;
            savedInverseStd.Span[c] = (float)inverse;
            double unbiased = count > 1 ? squares / (count - 1) : variance;
            runningMean.Span[c] = (float)((1 - momentum) * runningMean.Span[c] + momentum * mean);
            runningVariance.Span[c] = (float)((1 - momentum) * runningVariance.Span[c] + momentum * unbiased);
        }
    }

    public static void ForwardInference(Workers workers, Tensor input, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVariance,
        float epsilon, Tensor output)
    {
        var job = new Inference(input, gamma, beta, runningMean, runningVariance, epsilon, output);
        workers.For(input.Shape[1], ref job);
    }

    private readonly struct Inference(Tensor input, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVariance,
        float epsilon, Tensor output) : IWorkPiece
    {
        public void Run(int c)
        {
            var (batch, channels, spatial) = Dims(input);
            float* x = input.Pointer(), y = output.Pointer();
            double inverse = 1.0 / Math.Sqrt(runningVariance.Span[c] + (double)epsilon);
            var normalize = new NormalizeOperator(runningMean.Span[c], (float)(inverse * gamma.Span[c]), beta.Span[c]);
            for (int n = 0; n < batch; n++)
            {
                var plane = Plane(x, n, c, channels, spatial);
                ElementWise.Apply(normalize, plane, plane, new Span<float>(y + ((long)n * channels + c) * spatial, spatial));
            }
        }
    }

    public static void Backward(Workers workers, Tensor input, Tensor gradOutput, Tensor gamma, Tensor savedMean, Tensor savedInverseStd,
        Tensor gradInput, Tensor gradGamma, Tensor gradBeta)
    {
        var job = new Gradients(input, gradOutput, gamma, savedMean, savedInverseStd, gradInput, gradGamma, gradBeta);
        workers.For(input.Shape[1], ref job);
    }

    private readonly struct Gradients(Tensor input, Tensor gradOutput, Tensor gamma, Tensor savedMean, Tensor savedInverseStd,
        Tensor gradInput, Tensor gradGamma, Tensor gradBeta) : IWorkPiece
    {
        public void Run(int c)
        {
            var (batch, channels, spatial) = Dims(input);
            long count = (long)batch * spatial;
            float* x = input.Pointer(), dy = gradOutput.Pointer(), dx = gradInput.Pointer();
            float mean = savedMean.Span[c];
            double inverse = savedInverseStd.Span[c], sumDy = 0, sumDyCentered = 0;
            for (int n = 0; n < batch; n++)
            {
                ReadOnlySpan<float> xs = Plane(x, n, c, channels, spatial), dys = Plane(dy, n, c, channels, spatial);
                sumDy += ElementWise.Sum(new FirstOperator(), dys, dys);
                sumDyCentered += ElementWise.Sum(new DeviationProductOperator(mean), xs, dys);
            }
            double sumDyXhat = sumDyCentered * inverse;
            // dx = a * dy + b * (x - mean) + c with a = gamma / std, b = -a * sum(dy xhat) / (count std), c = -a * sum(dy) / count.
            double a = gamma.Span[c] * inverse;
            var gradient = new BatchNormGradientOperator((float)a, (float)(-a * inverse * sumDyXhat / count), mean, (float)(-a * sumDy / count));
            for (int n = 0; n < batch; n++)
            {
                ReadOnlySpan<float> xs = Plane(x, n, c, channels, spatial), dys = Plane(dy, n, c, channels, spatial);
                ElementWise.Apply(gradient, dys, xs, new Span<float>(dx + ((long)n * channels + c) * spatial, spatial));
            }
            gradGamma.Span[c] += (float)sumDyXhat;
            gradBeta.Span[c] += (float)sumDy;
        }
    }

    private static ReadOnlySpan<float> Plane(float* data, int n, int c, int channels, int spatial) =>
        new(data + ((long)n * channels + c) * spatial, spatial);

    private static (int Batch, int Channels, int Spatial) Dims(Tensor input)
    {
        var s = input.Shape;
        return (s.N, s[1], s.ItemSize / s[1]);
    }
}
