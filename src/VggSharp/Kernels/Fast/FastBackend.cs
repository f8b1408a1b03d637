using VggSharp.Tensors;

namespace VggSharp.Kernels.Fast;

/// <summary>
/// Vectorised, multi-threaded kernels: convolution and fully-connected layers run on a packed, cache-blocked SGEMM
/// with an AVX-512 (or AVX2 / 128-bit) register-blocked micro-kernel; element-wise layers run on one generic
/// vector driver. Results are bit-identical whatever the thread count, and match <see cref="Reference.ReferenceBackend"/>
/// to float32 rounding. Safe to share between threads: scratch memory is per thread.
/// </summary>
public sealed unsafe class FastBackend : IBackend
{
    /// <summary>Below this many elements an element-wise layer runs on one thread.</summary>
    private const int ElementwiseGrain = 1 << 15;

    private readonly Workers _workers;

    /// <summary>Creates the backend.</summary>
    /// <param name="maxThreads">Threads to use; null means <see cref="Environment.ProcessorCount"/>.</param>
    /// <param name="convolution">How to compute convolutions; <see cref="ConvolutionAlgorithm.Auto"/> picks the faster per shape.</param>
    public FastBackend(int? maxThreads = null, ConvolutionAlgorithm convolution = ConvolutionAlgorithm.Auto)
    {
        if (!Enum.IsDefined(convolution)) throw new ArgumentOutOfRangeException(nameof(convolution), convolution, "Unknown convolution algorithm.");
        CheckThreads(maxThreads ?? Environment.ProcessorCount);
        _workers = new Workers(maxThreads ?? Environment.ProcessorCount);
        Convolution = convolution;
    }

    /// <summary>More threads than this (<see cref="ThreadsPerCore"/> per core) only add switching, and a hostile count would exhaust the machine.</summary>
    public static int ThreadLimit => ThreadsPerCore * Environment.ProcessorCount;

    /// <summary>The most threads per core a CPU backend or benchmark takes.</summary>
    public const int ThreadsPerCore = 4;

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="threads"/> is in [1, <see cref="ThreadLimit"/>].</summary>
    public static void CheckThreads(int threads)
    {
        if (threads < 1 || threads > ThreadLimit)
            throw new ArgumentException(
                $"The thread count must be between 1 and {ThreadLimit} ({ThreadsPerCore} per core on this machine's {Environment.ProcessorCount}), got {threads}.");
    }

    /// <inheritdoc />
    public string Name => "fast";

    /// <inheritdoc />
    public Device Device => Device.Cpu;

    /// <inheritdoc />
    public void Synchronize() { }

    /// <inheritdoc />
    public Tensor Allocate(TensorShape shape) => new(shape);

    /// <inheritdoc />
    public void Fill(Tensor tensor, float value) => Parallel(new FillOperator(value), tensor, tensor, tensor);

    /// <inheritdoc />
    public void Scale(Tensor tensor, float factor) => Parallel(new ScaleOperator(factor), tensor, tensor, tensor);

    /// <inheritdoc />
    public void SgdUpdate(Tensor weight, Tensor gradient, Tensor velocity, float learningRate, float momentum, float decay)
    {
        ShapeCheck.SameShape(weight, gradient, "weight", "gradient");
        ShapeCheck.SameShape(weight, velocity, "weight", "velocity");
        SgdKernels.Update(weight.Span, gradient.Span, velocity.Span, learningRate, momentum, decay);
    }

    /// <inheritdoc />
    public void DropoutMask(Tensor mask, float probability, ReadOnlySpan<ulong> sampleKeys)
    {
        ShapeCheck.Keys(mask, sampleKeys);
        DropoutKernels.Mask(_workers, ElementwiseGrain, mask, probability, sampleKeys);
    }

    /// <summary>The most threads a kernel uses.</summary>
    public int MaxThreads => _workers.Count;

    /// <summary>How convolutions are computed.</summary>
    public ConvolutionAlgorithm Convolution { get; }

    /// <inheritdoc />
    public void Conv2dForward(Tensor input, Tensor weight, Tensor bias, Tensor output, int padding)
    {
        ShapeCheck.Conv(input, weight, output, padding);
        ShapeCheck.Channels(output, bias, "bias");
        ConvolutionKernels.Forward(_workers, Convolution, input, weight, bias, output, padding);
    }

    /// <inheritdoc />
    public void Conv2dBackwardData(Tensor gradOutput, Tensor weight, Tensor gradInput, int padding)
    {
        ShapeCheck.Conv(gradInput, weight, gradOutput, padding);
        ConvolutionKernels.BackwardData(_workers, Convolution, gradOutput, weight, gradInput, padding);
    }

    /// <inheritdoc />
    public void Conv2dBackwardFilter(Tensor input, Tensor gradOutput, Tensor gradWeight, Tensor gradBias, int padding)
    {
        ShapeCheck.Conv(input, gradWeight, gradOutput, padding);
        ShapeCheck.Channels(gradOutput, gradBias, "gradBias");
        ConvolutionKernels.BackwardFilter(_workers, Convolution, input, gradOutput, gradWeight, gradBias, padding);
    }

    /// <inheritdoc />
    public void LinearForward(Tensor input, Tensor weight, Tensor bias, Tensor output)
    {
        ShapeCheck.Linear(input, weight, output);
        ShapeCheck.Channels(output, bias, "bias");
        LinearKernels.Forward(_workers, input, weight, bias, output);
    }

    /// <inheritdoc />
    public void LinearBackwardData(Tensor gradOutput, Tensor weight, Tensor gradInput)
    {
        ShapeCheck.Linear(gradInput, weight, gradOutput);
        LinearKernels.BackwardData(_workers, gradOutput, weight, gradInput);
    }

    /// <inheritdoc />
    public void LinearBackwardWeights(Tensor input, Tensor gradOutput, Tensor gradWeight, Tensor gradBias)
    {
        ShapeCheck.Linear(input, gradWeight, gradOutput);
        ShapeCheck.Channels(gradOutput, gradBias, "gradBias");
        LinearKernels.BackwardWeights(_workers, input, gradOutput, gradWeight, gradBias);
    }

    /// <inheritdoc />
    public void ReluForward(Tensor input, Tensor output)
    {
        ShapeCheck.SameShape(input, output, "input", "output");
        Parallel(new ReluOperator(), input, input, output);
    }

    /// <inheritdoc />
    public void ReluBackward(Tensor output, Tensor gradOutput, Tensor gradInput)
    {
        ShapeCheck.SameShape(output, gradOutput, "output", "gradOutput");
        ShapeCheck.SameShape(output, gradInput, "output", "gradInput");
        Parallel(new ReluGradientOperator(), output, gradOutput, gradInput);
    }

    /// <inheritdoc />
    public void MaxPoolForward(Tensor input, Tensor output, Tensor argmax)
    {
        ShapeCheck.Pool(input, output, argmax);
        PoolingKernels.Forward(_workers, input, output, (int*)argmax.Data());
    }

    /// <inheritdoc />
    public void MaxPoolBackward(Tensor gradOutput, Tensor argmax, Tensor gradInput)
    {
        ShapeCheck.Pool(gradInput, gradOutput, argmax);
        PoolingKernels.Backward(_workers, gradOutput, (int*)argmax.Data(), gradInput);
    }

    /// <inheritdoc />
    public void LrnForward(Tensor input, Tensor output, Tensor scale, LrnParameters parameters)
    {
        ShapeCheck.Rank(input, 4, "input");
        ShapeCheck.SameShape(input, output, "input", "output");
        ShapeCheck.SameShape(input, scale, "input", "scale");
        LrnKernels.Forward(_workers, input, output, scale, parameters);
    }

    /// <inheritdoc />
    public void LrnBackward(Tensor input, Tensor output, Tensor scale, Tensor gradOutput, Tensor gradInput, LrnParameters parameters)
    {
        ShapeCheck.Rank(input, 4, "input");
        ShapeCheck.SameShape(input, output, "input", "output");
        ShapeCheck.SameShape(input, scale, "input", "scale");
        ShapeCheck.SameShape(input, gradOutput, "input", "gradOutput");
        ShapeCheck.SameShape(input, gradInput, "input", "gradInput");
        LrnKernels.Backward(_workers, input, output, scale, gradOutput, gradInput, parameters);
    }

    /// <inheritdoc />
    public void BatchNormForwardTraining(Tensor input, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVariance,
        float momentum, float epsilon, Tensor output, Tensor savedMean, Tensor savedInverseStd)
    {
        CheckBatchNorm(input, output, gamma, beta, runningMean, runningVariance, savedMean, savedInverseStd);
        BatchNormKernels.ForwardTraining(_workers, input, gamma, beta, runningMean, runningVariance, momentum, epsilon, output, savedMean, savedInverseStd);
    }

    /// <inheritdoc />
    public void BatchNormForwardInference(Tensor input, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVariance,
        float epsilon, Tensor output)
    {
        CheckBatchNorm(input, output, gamma, beta, runningMean, runningVariance);
        BatchNormKernels.ForwardInference(_workers, input, gamma, beta, runningMean, runningVariance, epsilon, output);
    }

    /// <inheritdoc />
    public void BatchNormBackward(Tensor input, Tensor gradOutput, Tensor gamma, Tensor savedMean, Tensor savedInverseStd,
        Tensor gradInput, Tensor gradGamma, Tensor gradBeta)
    {
        CheckBatchNorm(input, gradOutput, gamma, savedMean, savedInverseStd, gradGamma, gradBeta);
        ShapeCheck.SameShape(input, gradInput, "input", "gradInput");
        BatchNormKernels.Backward(_workers, input, gradOutput, gamma, savedMean, savedInverseStd, gradInput, gradGamma, gradBeta);
    }

    /// <inheritdoc />
    public void BatchNormSums(Tensor input, Tensor? mean, Span<double> sums)
    {
        if (mean is null) CheckBatchNorm(input, input);
        else CheckBatchNorm(input, input, mean);
        ShapeCheck.Sums(input, sums, 1);
        fixed (double* s = sums) BatchNormKernels.Sums(_workers, input, mean, s);
    }

    /// <inheritdoc />
    public void BatchNormNormalize(Tensor input, Tensor gamma, Tensor beta, Tensor mean, Tensor inverseStd, Tensor output)
    {
        CheckBatchNorm(input, output, gamma, beta, mean, inverseStd);
        BatchNormKernels.Normalize(_workers, input, gamma, beta, mean, inverseStd, output);
    }

    /// <inheritdoc />
    public void BatchNormGradientSums(Tensor input, Tensor gradOutput, Tensor mean, Span<double> sums)
    {
        CheckBatchNorm(input, gradOutput, mean);
        ShapeCheck.Sums(input, sums, 2);
        fixed (double* s = sums) BatchNormKernels.GradientSums(_workers, input, gradOutput, mean, s);
    }

    /// <inheritdoc />
    public void BatchNormBackwardData(Tensor input, Tensor gradOutput, Tensor gamma, Tensor savedMean, Tensor savedInverseStd,
        ReadOnlySpan<double> sums, long count, Tensor gradInput)
    {
        CheckBatchNorm(input, gradOutput, gamma, savedMean, savedInverseStd);
        ShapeCheck.SameShape(input, gradInput, "input", "gradInput");
        ShapeCheck.Sums(input, sums, 2);
        ShapeCheck.Count(count);
        fixed (double* s = sums) BatchNormKernels.BackwardData(_workers, input, gradOutput, gamma, savedMean, savedInverseStd, s, count, gradInput);
    }

    /// <inheritdoc />
    public void Multiply(Tensor a, Tensor b, Tensor output)
    {
        ShapeCheck.SameShape(a, b, "a", "b");
        ShapeCheck.SameShape(a, output, "a", "output");
        Parallel(new MultiplyOperator(), a, b, output);
    }

    /// <inheritdoc />
    public void SoftmaxCrossEntropy(Tensor logits, ReadOnlySpan<int> labels, Tensor probabilities, Tensor gradLogits, float share, Tensor totals)
    {
        ShapeCheck.Labels(logits, labels);
        ShapeCheck.SameShape(logits, probabilities, "logits", "probabilities");
        ShapeCheck.SameShape(logits, gradLogits, "logits", "gradLogits");
        ShapeCheck.Totals(totals);
        SoftmaxKernels.CrossEntropy(logits, labels, probabilities, gradLogits, share, totals);
    }

    /// <inheritdoc />
    public void Softmax(Tensor logits, Tensor probabilities)
    {
        ShapeCheck.Rank(logits, 2, "logits");
        ShapeCheck.SameShape(logits, probabilities, "logits", "probabilities");
        SoftmaxKernels.Softmax(logits, probabilities);
    }

    /// <summary>Applies an element-wise operator over contiguous ranges split between the workers.</summary>
    private void Parallel<TOperator>(TOperator op, Tensor x, Tensor y, Tensor destination) where TOperator : struct, IElementwiseOperator
    {
        var job = new ElementwiseRanges<TOperator>(op, x, y, destination);
        _workers.ForRanges(destination.Length, ElementwiseGrain, ref job);
    }

    private readonly struct ElementwiseRanges<TOperator>(TOperator op, Tensor x, Tensor y, Tensor destination) : IRangePiece
        where TOperator : struct, IElementwiseOperator
    {
        public void Run(int start, int length) =>
            ElementWise.Apply(op, x.Span.Slice(start, length), y.Span.Slice(start, length), destination.Span.Slice(start, length));
    }

    private static void CheckBatchNorm(Tensor input, Tensor other, params Tensor[] perChannel)
    {
        if (input.Shape.Rank < 2) throw new ArgumentException($"Batch normalisation needs [N, C, ...] input, got {input.Shape}.");
        ShapeCheck.SameShape(input, other, "input", "output");
        foreach (var t in perChannel) ShapeCheck.Channels(input, t, "per-channel statistic");
    }
}
