using VggSharp.Kernels;
using VggSharp.Kernels.Fast;
using VggSharp.Tensors;
using Xunit;

namespace VggSharp.Tests.Tensors;

/// <summary>
/// A backend on the fake device of <see cref="FakeDeviceStorage"/>: it allocates there, and each kernel copies its
/// tensors to the host, runs the fast backend's kernel and copies them back. Code that runs a network on it and
/// touches the elements of a network tensor through spans fails, and its results must be the fast backend's bits.
/// </summary>
public sealed class FakeDeviceBackend : IBackend
{
    private readonly FastBackend _host = new();

    public string Name => "fake-device";

    public Device Device => FakeDeviceStorage.FakeDevice;

    public Tensor Allocate(TensorShape shape) => new(new FakeDeviceStorage((long)shape.ElementCount * sizeof(float)), shape);

    /// <summary>Runs <paramref name="kernel"/> on host copies of <paramref name="tensors"/> (one copy per distinct tensor, so in-place calls stay in place), then copies them all back.</summary>
    private static void OnHost(Action<Tensor[]> kernel, params Tensor?[] tensors)
    {
        var copies = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var t in tensors)
        {
            if (t is null || copies.ContainsKey(t)) continue;
            Assert.Equal(FakeDeviceStorage.FakeDevice, t.Device);
            copies[t] = t.ToHost();
        }
        kernel([.. tensors.Select(t => t is null ? null! : copies[t])]);
        foreach (var (device, host) in copies)
        {
            device.CopyFrom(host);
            host.Dispose();
        }
    }

    public void Fill(Tensor tensor, float value) => OnHost(t => _host.Fill(t[0], value), tensor);
    public void Scale(Tensor tensor, float factor) => OnHost(t => _host.Scale(t[0], factor), tensor);
    public void SgdUpdate(Tensor weight, Tensor gradient, Tensor velocity, float learningRate, float momentum, float decay) =>
        OnHost(t => _host.SgdUpdate(t[0], t[1], t[2], learningRate, momentum, decay), weight, gradient, velocity);
    public void DropoutMask(Tensor mask, float probability, ReadOnlySpan<ulong> sampleKeys)
    {
        ulong[] keys = sampleKeys.ToArray();
        OnHost(t => _host.DropoutMask(t[0], probability, keys), mask);
    }
    public void Conv2dForward(Tensor input, Tensor weight, Tensor bias, Tensor output, int padding) =>
        OnHost(t => _host.Conv2dForward(t[0], t[1], t[2], t[3], padding), input, weight, bias, output);
    public void Conv2dBackwardData(Tensor gradOutput, Tensor weight, Tensor gradInput, int padding) =>
        OnHost(t => _host.Conv2dBackwardData(t[0], t[1], t[2], padding), gradOutput, weight, gradInput);
    public void Conv2dBackwardFilter(Tensor input, Tensor gradOutput, Tensor gradWeight, Tensor gradBias, int padding) =>
        OnHost(t => _host.Conv2dBackwardFilter(t[0], t[1], t[2], t[3], padding), input, gradOutput, gradWeight, gradBias);
    public void LinearForward(Tensor input, Tensor weight, Tensor bias, Tensor output) =>
        OnHost(t => _host.LinearForward(t[0], t[1], t[2], t[3]), input, weight, bias, output);
    public void LinearBackwardData(Tensor gradOutput, Tensor weight, Tensor gradInput) =>
        OnHost(t => _host.LinearBackwardData(t[0], t[1], t[2]), gradOutput, weight, gradInput);
    public void LinearBackwardWeights(Tensor input, Tensor gradOutput, Tensor gradWeight, Tensor gradBias) =>
        OnHost(t => _host.LinearBackwardWeights(t[0], t[1], t[2], t[3]), input, gradOutput, gradWeight, gradBias);
    public void ReluForward(Tensor input, Tensor output) => OnHost(t => _host.ReluForward(t[0], t[1]), input, output);
    public void ReluBackward(Tensor output, Tensor gradOutput, Tensor gradInput) => OnHost(t => _host.ReluBackward(t[0], t[1], t[2]), output, gradOutput, gradInput);
    public void MaxPoolForward(Tensor input, Tensor output, Tensor argmax) => OnHost(t => _host.MaxPoolForward(t[0], t[1], t[2]), input, output, argmax);
    public void MaxPoolBackward(Tensor gradOutput, Tensor argmax, Tensor gradInput) => OnHost(t => _host.MaxPoolBackward(t[0], t[1], t[2]), gradOutput, argmax, gradInput);
    public void LrnForward(Tensor input, Tensor output, Tensor scale, LrnParameters parameters) =>
        OnHost(t => _host.LrnForward(t[0], t[1], t[2], parameters), input, output, scale);
    public void LrnBackward(Tensor input, Tensor output, Tensor scale, Tensor gradOutput, Tensor gradInput, LrnParameters parameters) =>
        OnHost(t => _host.LrnBackward(t[0], t[1], t[2], t[3], t[4], parameters), input, output, scale, gradOutput, gradInput);
    public void BatchNormForwardTraining(Tensor input, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVariance,
        float momentum, float epsilon, Tensor output, Tensor savedMean, Tensor savedInverseStd) =>
        OnHost(t => _host.BatchNormForwardTraining(t[0], t[1], t[2], t[3], t[4], momentum, epsilon, t[5], t[6], t[7]),
            input, gamma, beta, runningMean, runningVariance, output, savedMean, savedInverseStd);
    public void BatchNormForwardInference(Tensor input, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVariance, float epsilon, Tensor output) =>
        OnHost(t => _host.BatchNormForwardInference(t[0], t[1], t[2], t[3], t[4], epsilon, t[5]), input, gamma, beta, runningMean, runningVariance, output);
    public void BatchNormBackward(Tensor input, Tensor gradOutput, Tensor gamma, Tensor savedMean, Tensor savedInverseStd,
        Tensor gradInput, Tensor gradGamma, Tensor gradBeta) =>
        OnHost(t => _host.BatchNormBackward(t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7]),
            input, gradOutput, gamma, savedMean, savedInverseStd, gradInput, gradGamma, gradBeta);
    public void BatchNormSums(Tensor input, Tensor? mean, Span<double> sums)
    {
        var result = new double[sums.Length];
        OnHost(t => _host.BatchNormSums(t[0], mean is null ? null : t[1], result), input, mean);
        result.CopyTo(sums);
    }
    public void BatchNormNormalize(Tensor input, Tensor gamma, Tensor beta, Tensor mean, Tensor inverseStd, Tensor output) =>
        OnHost(t => _host.BatchNormNormalize(t[0], t[1], t[2], t[3], t[4], t[5]), input, gamma, beta, mean, inverseStd, output);
    public void BatchNormGradientSums(Tensor input, Tensor gradOutput, Tensor mean, Span<double> sums)
    {
        var result = new double[sums.Length];
        OnHost(t => _host.BatchNormGradientSums(t[0], t[1], t[2], result), input, gradOutput, mean);
        result.CopyTo(sums);
    }
    public void BatchNormBackwardData(Tensor input, Tensor gradOutput, Tensor gamma, Tensor savedMean, Tensor savedInverseStd,
        ReadOnlySpan<double> sums, long count, Tensor gradInput)
    {
        double[] s = sums.ToArray();
        OnHost(t => _host.BatchNormBackwardData(t[0], t[1], t[2], t[3], t[4], s, count, t[5]), input, gradOutput, gamma, savedMean, savedInverseStd, gradInput);
    }
    public void Synchronize() => _host.Synchronize();

    public void Multiply(Tensor a, Tensor b, Tensor output) => OnHost(t => _host.Multiply(t[0], t[1], t[2]), a, b, output);
    public void SoftmaxCrossEntropy(Tensor logits, ReadOnlySpan<int> labels, Tensor probabilities, Tensor gradLogits, float share, Tensor totals)
    {
        int[] l = labels.ToArray();
        OnHost(t => _host.SoftmaxCrossEntropy(t[0], l, t[1], t[2], share, t[3]), logits, probabilities, gradLogits, totals);
    }
    public void Softmax(Tensor logits, Tensor probabilities) => OnHost(t => _host.Softmax(t[0], t[1]), logits, probabilities);
}
