using System.Runtime.CompilerServices;
using VggSharp.Tensors;

namespace VggSharp.Kernels.Fast;

/// <summary>
/// Batch normalisation, parallel over groups of channels: each channel's statistics are summed by one worker, plane by
/// plane in image order, so they do not depend on the thread count or the grouping. Within a group the passes run
/// image by image over the group's adjacent planes, so small maps are read as contiguous runs rather than one short
/// plane per page (which thrashed the TLB and the cache sets), and a group is sized to stay in L2 between its passes.
/// The fused training kernels and the split ones for a batch spread across processes (sums, then the element-wise
/// pass) share the group loops below.
/// </summary>
internal static unsafe class BatchNormKernels
{
    public static void ForwardTraining(Workers workers, Tensor input, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVariance,
        float momentum, float epsilon, Tensor output, Tensor savedMean, Tensor savedInverseStd)
    {
        var groups = ChannelGroups.For(input, workers);
        var job = new Training(groups, input, gamma, beta, runningMean, runningVariance, momentum, epsilon, output, savedMean, savedInverseStd);
        workers.For(groups.Count, ref job);
    }

    private readonly struct Training(ChannelGroups groups, Tensor input, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVariance,
        float momentum, float epsilon, Tensor output, Tensor savedMean, Tensor savedInverseStd) : IWorkPiece
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int group)
        {
            var (first, width) = groups.Range(group);
            long count = groups.ValuesPerChannel;
            double* sums = stackalloc double[width], squares = stackalloc double[width];
            SquaredDeviationOperator* deviations = stackalloc SquaredDeviationOperator[width];
            NormalizeOperator* normalizations = stackalloc NormalizeOperator[width];
            FirstOperator* plain = stackalloc FirstOperator[width];
            float* x = input.Data();
            groups.Sum(first, width, x, x, plain, sums);
            for (int k = 0; k < width; k++) deviations[k] = new SquaredDeviationOperator((float)(sums[k] / count));
            groups.Sum(first, width, x, x, deviations, squares);
            for (int k = 0; k < width; k++)
            {
                int c = first + k;
                double mean = sums[k] / count;
                savedMean.Span[c] = (float)mean;
                savedInverseStd.Span[c] = BatchNormStatistics.Update(mean, squares[k], count, momentum, epsilon, ref runningMean.Span[c], ref runningVariance.Span[c]);
                normalizations[k] = Normalization(gamma, beta, savedMean, savedInverseStd, c);
            }
            groups.Apply(first, width, x, x, normalizations, output.Data());
        }
    }

    public static void ForwardInference(Workers workers, Tensor input, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVariance,
        float epsilon, Tensor output)
    {
        var groups = ChannelGroups.For(input, workers);
        var job = new Inference(groups, input, gamma, beta, runningMean, runningVariance, epsilon, output);
        workers.For(groups.Count, ref job);
    }

    private readonly struct Inference(ChannelGroups groups, Tensor input, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVariance,
        float epsilon, Tensor output) : IWorkPiece
    {
        public void Run(int group)
        {
            var (first, width) = groups.Range(group);
            NormalizeOperator* normalizations = stackalloc NormalizeOperator[width];
            for (int k = 0; k < width; k++)
            {
                int c = first + k;
                double inverse = 1.0 / Math.Sqrt(runningVariance.Span[c] + (double)epsilon);
                normalizations[k] = new NormalizeOperator(runningMean.Span[c], (float)(inverse * gamma.Span[c]), beta.Span[c]);
            }
            groups.Apply(first, width, input.Data(), input.Data(), normalizations, output.Data());
        }
    }

    public static void Normalize(Workers workers, Tensor input, Tensor gamma, Tensor beta, Tensor mean, Tensor inverseStd, Tensor output)
    {
        var groups = ChannelGroups.For(input, workers);
        var job = new GivenStatistics(groups, input, gamma, beta, mean, inverseStd, output);
        workers.For(groups.Count, ref job);
    }

    private readonly struct GivenStatistics(ChannelGroups groups, Tensor input, Tensor gamma, Tensor beta, Tensor mean, Tensor inverseStd, Tensor output) : IWorkPiece
    {
        public void Run(int group)
        {
            var (first, width) = groups.Range(group);
            NormalizeOperator* normalizations = stackalloc NormalizeOperator[width];
            for (int k = 0; k < width; k++) normalizations[k] = Normalization(gamma, beta, mean, inverseStd, first + k);
            groups.Apply(first, width, input.Data(), input.Data(), normalizations, output.Data());
        }
    }

    /// <summary>Channel <paramref name="c"/>'s normalisation from the float statistics training saves, so the split and fused kernels agree bit for bit.</summary>
    private static NormalizeOperator Normalization(Tensor gamma, Tensor beta, Tensor mean, Tensor inverseStd, int c) =>
        new(mean.Span[c], (float)((double)inverseStd.Span[c] * gamma.Span[c]), beta.Span[c]);

    public static void Backward(Workers workers, Tensor input, Tensor gradOutput, Tensor gamma, Tensor savedMean, Tensor savedInverseStd,
        Tensor gradInput, Tensor gradGamma, Tensor gradBeta)
    {
        var groups = ChannelGroups.For(input, workers);
        var job = new Gradients(groups, input, gradOutput, gamma, savedMean, savedInverseStd, gradInput, gradGamma, gradBeta);
        workers.For(groups.Count, ref job);
    }

    private readonly struct Gradients(ChannelGroups groups, Tensor input, Tensor gradOutput, Tensor gamma, Tensor savedMean, Tensor savedInverseStd,
        Tensor gradInput, Tensor gradGamma, Tensor gradBeta) : IWorkPiece
    {
        public void Run(int group)
        {
            var (first, width) = groups.Range(group);
            double* sumDy = stackalloc double[width], sumDyCentered = stackalloc double[width];
            GradientSums(groups, first, width, input, gradOutput, savedMean, sumDy, sumDyCentered);
            InputGradient(groups, first, width, input, gradOutput, gamma, savedMean, savedInverseStd, sumDy, sumDyCentered, groups.ValuesPerChannel, gradInput);
            for (int k = 0; k < width; k++)
            {
                int c = first + k;
                gradGamma.Span[c] += (float)(sumDyCentered[k] * savedInverseStd.Span[c]);
                gradBeta.Span[c] += (float)sumDy[k];
            }
        }
    }

    public static void Sums(Workers workers, Tensor input, Tensor? mean, double* sums)
    {
        var groups = ChannelGroups.For(input, workers);
        var job = new ChannelSums(groups, input, mean, sums);
        workers.For(groups.Count, ref job);
    }

    private readonly struct ChannelSums(ChannelGroups groups, Tensor input, Tensor? mean, double* sums) : IWorkPiece
    {
        public void Run(int group)
        {
            var (first, width) = groups.Range(group);
            float* x = input.Data();
            if (mean is null)
            {
                FirstOperator* plain = stackalloc FirstOperator[width];
                groups.Sum(first, width, x, x, plain, sums + first);
                return;
            }
            SquaredDeviationOperator* deviations = stackalloc SquaredDeviationOperator[width];
            for (int k = 0; k < width; k++) deviations[k] = new SquaredDeviationOperator(mean.Span[first + k]);
            groups.Sum(first, width, x, x, deviations, sums + first);
        }
    }

    public static void GradientSums(Workers workers, Tensor input, Tensor gradOutput, Tensor mean, double* sums)
    {
        var groups = ChannelGroups.For(input, workers);
        var job = new ChannelGradientSums(groups, input, gradOutput, mean, sums);
        workers.For(groups.Count, ref job);
    }

    private readonly struct ChannelGradientSums(ChannelGroups groups, Tensor input, Tensor gradOutput, Tensor mean, double* sums) : IWorkPiece
    {
        public void Run(int group)
        {
            var (first, width) = groups.Range(group);
            GradientSums(groups, first, width, input, gradOutput, mean, sums + first, sums + groups.Channels + first);
        }
    }

    public static void BackwardData(Workers workers, Tensor input, Tensor gradOutput, Tensor gamma, Tensor savedMean, Tensor savedInverseStd,
        double* sums, long count, Tensor gradInput)
    {
        var groups = ChannelGroups.For(input, workers);
        var job = new ChannelInputGradient(groups, input, gradOutput, gamma, savedMean, savedInverseStd, sums, count, gradInput);
        workers.For(groups.Count, ref job);
    }

    private readonly struct ChannelInputGradient(ChannelGroups groups, Tensor input, Tensor gradOutput, Tensor gamma, Tensor savedMean, Tensor savedInverseStd,
        double* sums, long count, Tensor gradInput) : IWorkPiece
    {
        public void Run(int group)
        {
            var (first, width) = groups.Range(group);
            InputGradient(groups, first, width, input, gradOutput, gamma, savedMean, savedInverseStd, sums + first, sums + groups.Channels + first, count, gradInput);
        }
    }

    /// <summary>Channels [first, first + width)'s sums of dy and of dy * (x - mean).</summary>
    private static void GradientSums(ChannelGroups groups, int first, int width, Tensor input, Tensor gradOutput, Tensor mean,
        double* sumDy, double* sumDyCentered)
    {
        DeviationProductOperator* products = stackalloc DeviationProductOperator[width];
        for (int k = 0; k < width; k++) products[k] = new DeviationProductOperator(mean.Span[first + k]);
        groups.GradientSums(first, width, input.Data(), gradOutput.Data(), products, sumDy, sumDyCentered);
    }

    /// <summary>Channels [first, first + width)'s input gradient from the sums over a batch of <paramref name="count"/> values.</summary>
    private static void InputGradient(ChannelGroups groups, int first, int width, Tensor input, Tensor gradOutput, Tensor gamma,
        Tensor savedMean, Tensor savedInverseStd, double* sumDy, double* sumDyCentered, long count, Tensor gradInput)
    {
        BatchNormGradientOperator* gradients = stackalloc BatchNormGradientOperator[width];
        for (int k = 0; k < width; k++)
        {
            int c = first + k;
            double inverse = savedInverseStd.Span[c], sumDyXhat = sumDyCentered[k] * inverse;
            // dx = a * dy + b * (x - mean) + c with a = gamma / std, b = -a * sum(dy xhat) / (count std), c = -a * sum(dy) / count.
            double a = gamma.Span[c] * inverse;
            gradients[k] = new BatchNormGradientOperator((float)a, (float)(-a * inverse * sumDyXhat / count), savedMean.Span[c], (float)(-a * sumDy[k] / count));
        }
        groups.Apply(first, width, gradOutput.Data(), input.Data(), gradients, gradInput.Data());
    }

    /// <summary>
    /// A split of an NCHW tensor's channels into groups of <see cref="Size"/> adjacent channels, one parallel piece each.
    /// The grouping only decides which worker does a channel and when, never the order of a channel's own sums.
    /// </summary>
    private readonly record struct ChannelGroups(int Batch, int Channels, int Spatial, int Size)
    {
        /// <summary>Bytes of one tensor that a group may span, so that a pass finds what the previous one read still in L2.</summary>
        private const int GroupBytes = 256 * 1024;

        /// <summary>The most channels in a group, which bounds the per-channel operators kept on the stack.</summary>
        private const int MaxSize = 256;

        public static ChannelGroups For(Tensor input, Workers workers)
        {
            var s = input.Shape;
            int channels = s[1], spatial = s.ItemSize / channels;
            long channelBytes = (long)s.N * spatial * sizeof(float);
            int balanced = (channels + workers.Count - 1) / workers.Count;
            int size = (int)Math.Clamp(GroupBytes / Math.Max(channelBytes, 1), 1, Math.Min(balanced, MaxSize));
            return new ChannelGroups(s.N, channels, spatial, size);
        }

        public int Count => (Channels + Size - 1) / Size;

        /// <summary>Values per channel over the batch.</summary>
        public long ValuesPerChannel => (long)Batch * Spatial;

        public (int First, int Width) Range(int group) => (group * Size, Math.Min(Size, Channels - group * Size));

        /// <summary>
        /// sums[k] = the sum over the images, in order, of the vector driver's sum over channel first + k's plane of
        /// operators[k](x, y): the same order as one channel alone, whatever the group.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Sum<TOperator>(int first, int width, float* x, float* y, TOperator* operators, double* sums)
            where TOperator : unmanaged, IElementwiseOperator
        {
            for (int k = 0; k < width; k++) sums[k] = 0;
            for (int n = 0; n < Batch; n++)
            {
                long start = ((long)n * Channels + first) * Spatial;
                for (int k = 0; k < width; k++)
                {
                    long at = start + (long)k * Spatial;
                    sums[k] += ElementWise.Sum(operators[k], new ReadOnlySpan<float>(x + at, Spatial), new ReadOnlySpan<float>(y + at, Spatial));
                }
            }
        }

        /// <summary>
        /// Batch norm's two gradient sums, sum of dy and sum of products[k](x, dy), each as <see cref="Sum"/> forms it,
        /// taken plane by plane together so that dy is read once.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void GradientSums(int first, int width, float* x, float* dy, DeviationProductOperator* products, double* sumDy, double* sumDyCentered)
        {
            for (int k = 0; k < width; k++) sumDy[k] = sumDyCentered[k] = 0;
            for (int n = 0; n < Batch; n++)
            {
                long start = ((long)n * Channels + first) * Spatial;
                for (int k = 0; k < width; k++)
                {
                    long at = start + (long)k * Spatial;
                    ReadOnlySpan<float> xs = new(x + at, Spatial), dys = new(dy + at, Spatial);
                    sumDy[k] += ElementWise.Sum(new FirstOperator(), dys, dys);
                    sumDyCentered[k] += ElementWise.Sum(products[k], xs, dys);
                }
            }
        }

        /// <summary>destination = operators[k](x, y) over channel first + k's planes.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Apply<TOperator>(int first, int width, float* x, float* y, TOperator* operators, float* destination)
            where TOperator : unmanaged, IElementwiseOperator
        {
            for (int n = 0; n < Batch; n++)
            {
                long start = ((long)n * Channels + first) * Spatial;
                for (int k = 0; k < width; k++)
                {
                    long at = start + (long)k * Spatial;
                    ElementWise.Apply(operators[k], new ReadOnlySpan<float>(x + at, Spatial), new ReadOnlySpan<float>(y + at, Spatial),
                        new Span<float>(destination + at, Spatial));
                }
            }
        }
    }
}
