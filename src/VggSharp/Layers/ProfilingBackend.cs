using System.Diagnostics;
using VggSharp.Kernels;
using VggSharp.Tensors;

namespace VggSharp.Layers;

/// <summary>
/// Another backend's kernels, with the parameter-gradient kernels timed for a <see cref="LayerProfiler"/>, which
/// splits a layer's backward pass into backward-data and backward-filter. Installed on a network's layers only while
/// it is profiled; every call goes straight through.
/// </summary>
internal sealed class ProfilingBackend(IBackend inner, LayerProfiler profiler) : IBackend
{
    public string Name => inner.Name;

    public Device Device => inner.Device;

    public Tensor Allocate(TensorShape shape) => inner.Allocate(shape);

    public TensorFormat ActivationFormat(TensorShape shape) => inner.ActivationFormat(shape);

    public Tensor Allocate(TensorShape shape, TensorFormat format) => inner.Allocate(shape, format);

    public void Convert(Tensor source, Tensor destination) => inner.Convert(source, destination);

    public void Fill(Tensor tensor, float value) => inner.Fill(tensor, value);

    public void Scale(Tensor tensor, float factor) => inner.Scale(tensor, factor);

    public void SgdUpdate(Tensor weight, Tensor gradient, Tensor velocity, float learningRate, float momentum, float decay) =>
        inner.SgdUpdate(weight, gradient, velocity, learningRate, momentum, decay);

    public void DropoutMask(Tensor mask, float probability, ReadOnlySpan<ulong> sampleKeys) => inner.DropoutMask(mask, probability, sampleKeys);

    public void Conv2dForward(Tensor input, Tensor weight, Tensor bias, Tensor output, int padding) =>
        inner.Conv2dForward(input, weight, bias, output, padding);

    public void Conv2dBackwardData(Tensor gradOutput, Tensor weight, Tensor gradInput, int padding) =>
        inner.Conv2dBackwardData(gradOutput, weight, gradInput, padding);

    public void Conv2dBackwardFilter(Tensor input, Tensor gradOutput, Tensor gradWeight, Tensor gradBias, int padding)
    {
        inner.Synchronize();
        long start = Stopwatch.GetTimestamp();
        inner.Conv2dBackwardFilter(input, gradOutput, gradWeight, gradBias, padding);
        inner.Synchronize();
        profiler.AddBackwardFilter(Stopwatch.GetTimestamp() - start);
    }

    public void LinearForward(Tensor input, Tensor weight, Tensor bias, Tensor output) => inner.LinearForward(input, weight, bias, output);

    public void LinearBackwardData(Tensor gradOutput, Tensor weight, Tensor gradInput) => inner.LinearBackwardData(gradOutput, weight, gradInput);

    public void LinearBackwardWeights(Tensor input, Tensor gradOutput, Tensor gradWeight, Tensor gradBias)
    {
        inner.Synchronize();
        long start = Stopwatch.GetTimestamp();
        inner.LinearBackwardWeights(input, gradOutput, gradWeight, gradBias);
        inner.Synchronize();
        profiler.AddBackwardFilter(Stopwatch.GetTimestamp() - start);
    }

    public void Synchronize() => inner.Synchronize();

    public void ReluForward(Tensor input, Tensor output) => inner.ReluForward(input, output);

    public void ReluBackward(Tensor output, Tensor gradOutput, Tensor gradInput) => inner.ReluBackward(output, gradOutput, gradInput);

    public void MaxPoolForward(Tensor input, Tensor output, Tensor argmax) => inner.MaxPoolForward(input, output, argmax);

    public void MaxPoolBackward(Tensor gradOutput, Tensor argmax, Tensor gradInput) => inner.MaxPoolBackward(gradOutput, argmax, gradInput);

    public void LrnForward(Tensor input, Tensor output, Tensor scale, LrnParameters parameters) => inner.LrnForward(input, output, scale, parameters);

    public void LrnBackward(Tensor input, Tensor output, Tensor scale, Tensor gradOutput, Tensor gradInput, LrnParameters parameters) =>
        inner.LrnBackward(input, output, scale, gradOutput, gradInput, parameters);

    public void BatchNormForwardTraining(Tensor input, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVariance,
        float momentum, float epsilon, Tensor output, Tensor savedMean, Tensor savedInverseStd) =>
        inner.BatchNormForwardTraining(input, gamma, beta, runningMean, runningVariance, momentum, epsilon, output, savedMean, savedInverseStd);

    public void BatchNormForwardInference(Tensor input, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVariance,
        float epsilon, Tensor output) =>
        inner.BatchNormForwardInference(input, gamma, beta, runningMean, runningVariance, epsilon, output);

    public void BatchNormBackward(Tensor input, Tensor gradOutput, Tensor gamma, Tensor savedMean, Tensor savedInverseStd,
        Tensor gradInput, Tensor gradGamma, Tensor gradBeta) =>
        inner.BatchNormBackward(input, gradOutput, gamma, savedMean, savedInverseStd, gradInput, gradGamma, gradBeta);

    public void BatchNormSums(Tensor input, Tensor? mean, Span<double> sums) => inner.BatchNormSums(input, mean, sums);

    public void BatchNormNormalize(Tensor input, Tensor gamma, Tensor beta, Tensor mean, Tensor inverseStd, Tensor output) =>
        inner.BatchNormNormalize(input, gamma, beta, mean, inverseStd, output);

    public void BatchNormGradientSums(Tensor input, Tensor gradOutput, Tensor mean, Span<double> sums) =>
        inner.BatchNormGradientSums(input, gradOutput, mean, sums);

    public void BatchNormBackwardData(Tensor input, Tensor gradOutput, Tensor gamma, Tensor savedMean, Tensor savedInverseStd,
        ReadOnlySpan<double> sums, long count, Tensor gradInput) =>
        inner.BatchNormBackwardData(input, gradOutput, gamma, savedMean, savedInverseStd, sums, count, gradInput);

    public void Multiply(Tensor a, Tensor b, Tensor output) => inner.Multiply(a, b, output);

    public void SoftmaxCrossEntropy(Tensor logits, ReadOnlySpan<int> labels, Tensor probabilities, Tensor gradLogits, float share, Tensor totals) =>
        inner.SoftmaxCrossEntropy(logits, labels, probabilities, gradLogits, share, totals);

    public void Softmax(Tensor logits, Tensor probabilities) => inner.Softmax(logits, probabilities);
}
