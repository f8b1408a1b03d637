using VggSharp.Tensors;

namespace VggSharp.Kernels.Fast;

/// <summary>
/// Batch normalisation, parallel over channels: each channel's statistics are summed by one worker, plane by plane
/// in image order, so they do not depend on the thread count. The fused training kernels and the split ones for a
/// batch spread across processes (sums, then the element-wise pass) share the per-channel loops below.
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
            var (batch, _, spatial) = Dims(input);
            long count = (long)batch * spatial;
            double mean = Sum(input, c, new FirstOperator()) / count;
            double squares = Sum(input, c, new SquaredDeviationOperator((float)mean));
            savedMean.Span[c] = (float)mean;
            savedInverseStd.Span[c] = BatchNormStatistics.Update(mean, squares, count, momentum, epsilon, ref runningMean.Span[c], ref runningVariance.Span[c]);
            Normalize(input, c, Normalization(gamma, beta, savedMean, savedInverseStd, c), output);
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
            double inverse = 1.0 / Math.Sqrt(runningVariance.Span[c] + (double)epsilon);
            Normalize(input, c, new NormalizeOperator(runningMean.Span[c], (float)(inverse * gamma.Span[c]), beta.Span[c]), output);
        }
    }

    public static void Normalize(Workers workers, Tensor input, Tensor gamma, Tensor beta, Tensor mean, Tensor inverseStd, Tensor output)
    {
        var job = new GivenStatistics(input, gamma, beta, mean, inverseStd, output);
        workers.For(input.Shape[1], ref job);
    }

    private readonly struct GivenStatistics(Tensor input, Tensor gamma, Tensor beta, Tensor mean, Tensor inverseStd, Tensor output) : IWorkPiece
    {
        public void Run(int c) => Normalize(input, c, Normalization(gamma, beta, mean, inverseStd, c), output);
    }

    /// <summary>Channel <paramref name="c"/>'s normalisation from the float statistics training saves, so the split and fused kernels agree bit for bit.</summary>
    private static NormalizeOperator Normalization(Tensor gamma, Tensor beta, Tensor mean, Tensor inverseStd, int c) =>
        new(mean.Span[c], (float)((double)inverseStd.Span[c] * gamma.Span[c]), beta.Span[c]);

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
            var (batch, _, spatial) = Dims(input);
            var (sumDy, sumDyCentered) = GradientSums(input, gradOutput, c, savedMean.Span[c]);
            InputGradient(input, gradOutput, gamma, savedMean, savedInverseStd, c, sumDy, sumDyCentered, (long)batch * spatial, gradInput);
            gradGamma.Span[c] += (float)(sumDyCentered * savedInverseStd.Span[c]);
            gradBeta.Span[c] += (float)sumDy;
        }
    }

    public static void Sums(Workers workers, Tensor input, Tensor? mean, double* sums)
    {
        var job = new ChannelSums(input, mean, sums);
        workers.For(input.Shape[1], ref job);
    }

    private readonly struct ChannelSums(Tensor input, Tensor? mean, double* sums) : IWorkPiece
    {
        public void Run(int c) =>
            sums[c] = mean is null ? Sum(input, c, new FirstOperator()) : Sum(input, c, new SquaredDeviationOperator(mean.Span[c]));
    }

    public static void GradientSums(Workers workers, Tensor input, Tensor gradOutput, Tensor mean, double* sums)
    {
        var job = new ChannelGradientSums(input, gradOutput, mean, sums);
        workers.For(input.Shape[1], ref job);
    }

    private readonly struct ChannelGradientSums(Tensor input, Tensor gradOutput, Tensor mean, double* sums) : IWorkPiece
    {
        public void Run(int c) => (sums[c], sums[input.Shape[1] + c]) = GradientSums(input, gradOutput, c, mean.Span[c]);
    }

    public static void BackwardData(Workers workers, Tensor input, Tensor gradOutput, Tensor gamma, Tensor savedMean, Tensor savedInverseStd,
        double* sums, long count, Tensor gradInput)
    {
        var job = new ChannelInputGradient(input, gradOutput, gamma, savedMean, savedInverseStd, sums, count, gradInput);
        workers.For(input.Shape[1], ref job);
    }

    private readonly struct ChannelInputGradient(Tensor input, Tensor gradOutput, Tensor gamma, Tensor savedMean, Tensor savedInverseStd,
        double* sums, long count, Tensor gradInput) : IWorkPiece
    {
        public void Run(int c) =>
            InputGradient(input, gradOutput, gamma, savedMean, savedInverseStd, c, sums[c], sums[input.Shape[1] + c], count, gradInput);
    }

    /// <summary>The sum over channel <paramref name="c"/>'s planes of op(x), each plane summed by the vector driver.</summary>
    private static double Sum<TOperator>(Tensor input, int c, TOperator op) where TOperator : struct, IElementwiseOperator
    {
        var (batch, channels, spatial) = Dims(input);
        float* x = input.Data();
        double sum = 0;
        for (int n = 0; n < batch; n++)
        {
            var plane = Plane(x, n, c, channels, spatial);
            sum += ElementWise.Sum(op, plane, plane);
        }
        return sum;
    }

    private static void Normalize(Tensor input, int c, NormalizeOperator normalize, Tensor output)
    {
        var (batch, channels, spatial) = Dims(input);
        float* x = input.Data(), y = output.Data();
        for (int n = 0; n < batch; n++)
        {
            var plane = Plane(x, n, c, channels, spatial);
            ElementWise.Apply(normalize, plane, plane, new Span<float>(y + ((long)n * channels + c) * spatial, spatial));
        }
    }

    /// <summary>Channel <paramref name="c"/>'s sum of dy and of dy * (x - mean).</summary>
    private static (double SumDy, double SumDyCentered) GradientSums(Tensor input, Tensor gradOutput, int c, float mean)
    {
        var (batch, channels, spatial) = Dims(input);
        float* x = input.Data(), dy = gradOutput.Data();
        double sumDy = 0, sumDyCentered = 0;
        for (int n = 0; n < batch; n++)
        {
            ReadOnlySpan<float> xs = Plane(x, n, c, channels, spatial), dys = Plane(dy, n, c, channels, spatial);
            sumDy += ElementWise.Sum(new FirstOperator(), dys, dys);
            sumDyCentered += ElementWise.Sum(new DeviationProductOperator(mean), xs, dys);
        }
        return (sumDy, sumDyCentered);
    }

    /// <summary>Channel <paramref name="c"/>'s input gradient from the sums over a batch of <paramref name="count"/> values.</summary>
    private static void InputGradient(Tensor input, Tensor gradOutput, Tensor gamma, Tensor savedMean, Tensor savedInverseStd, int c,
        double sumDy, double sumDyCentered, long count, Tensor gradInput)
    {
        var (batch, channels, spatial) = Dims(input);
        float* x = input.Data(), dy = gradOutput.Data(), dx = gradInput.Data();
        float mean = savedMean.Span[c];
        double inverse = savedInverseStd.Span[c], sumDyXhat = sumDyCentered * inverse;
        // dx = a * dy + b * (x - mean) + c with a = gamma / std, b = -a * sum(dy xhat) / (count std), c = -a * sum(dy) / count.
        double a = gamma.Span[c] * inverse;
        var gradient = new BatchNormGradientOperator((float)a, (float)(-a * inverse * sumDyXhat / count), mean, (float)(-a * sumDy / count));
        for (int n = 0; n < batch; n++)
        {
            ReadOnlySpan<float> xs = Plane(x, n, c, channels, spatial), dys = Plane(dy, n, c, channels, spatial);
            ElementWise.Apply(gradient, dys, xs, new Span<float>(dx + ((long)n * channels + c) * spatial, spatial));
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
