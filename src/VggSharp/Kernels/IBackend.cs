using VggSharp.Tensors;

namespace VggSharp.Kernels;

/// <summary>
/// The compute kernels a network runs on. Shapes are in the public layout (NCHW for images, [batch, features] for
/// vectors); a tensor's <see cref="TensorFormat"/> says how its elements lie in memory. Parameters, their gradients and
/// anything the host reads are float32 in row-major order; activations and their gradients are in the backend's
/// <see cref="ActivationFormat"/>, which is float32 too except in mixed precision on a GPU. Every member takes
/// arguments in any format (converting as it must), so a layer never needs to know the backend's.
/// Input-gradient kernels overwrite their output; parameter-gradient kernels accumulate (+=),
/// so gradients of several mini-batches can be summed before an update, as in Caffe.
/// The CPU backends are deterministic: the same inputs give the same bits whatever the thread count; a GPU backend is when
/// created so (cuDNN's fastest algorithms for some layers sum in an order that varies).
/// The backend covers every computation of a training or evaluation step, so that a step runs start to finish on
/// <see cref="Device"/>: every tensor argument of every member lives there (allocate them with <see cref="Allocate(TensorShape)"/>).
/// Host spans appear only where the data is the host's anyway (labels, dropout keys, and batch norm's sums, which a
/// synchronised batch norm adds up across processes on the host).
/// </summary>
public interface IBackend
{
    /// <summary>A short name for reports, e.g. "reference" or "fast".</summary>
    string Name { get; }

    /// <summary>The device whose memory the kernels work on.</summary>
    Device Device { get; }

    /// <summary>A zero-filled float32 tensor on <see cref="Device"/>.</summary>
    Tensor Allocate(TensorShape shape);

    /// <summary>
    /// The format of activations of <paramref name="shape"/> and their gradients (the outputs and input gradients layers
    /// keep): float32 on the CPU; on a GPU in bf16 mixed precision, bfloat16, channels last for image batches.
    /// </summary>
    TensorFormat ActivationFormat(TensorShape shape) => TensorFormat.Float32;

    /// <summary>A zero-filled tensor of <paramref name="format"/> on <see cref="Device"/>; CPU backends have float32 only.</summary>
    Tensor Allocate(TensorShape shape, TensorFormat format) => format.IsFloat32
        ? Allocate(shape)
        : throw new NotSupportedException($"The {Name} backend keeps float32 tensors only, not {format}.");

    /// <summary>
    /// Copies <paramref name="source"/> into <paramref name="destination"/> (same shape, both on <see cref="Device"/>),
    /// converting element type and layout (float32 to bfloat16 rounds to nearest even).
    /// </summary>
    void Convert(Tensor source, Tensor destination)
    {
        ShapeCheck.SameShape(source, destination, "source", "destination");
        if (!source.Format.IsFloat32 || !destination.Format.IsFloat32)
            throw new NotSupportedException($"The {Name} backend keeps float32 tensors only, not {source.Format} or {destination.Format}.");
        destination.CopyFrom(source);
    }

    /// <summary>
    /// Waits until the device has finished all the work queued so far. Kernels on a device run asynchronously, so a
    /// clock read after a call times its queueing, not its work: timing code calls this first. Copies to the host wait
    /// by themselves. CPU backends finish every call before returning, so for them it does nothing.
    /// </summary>
    void Synchronize();

    /// <summary>Sets every element of <paramref name="tensor"/> to <paramref name="value"/>.</summary>
    void Fill(Tensor tensor, float value);

    /// <summary>tensor *= factor, in place.</summary>
    void Scale(Tensor tensor, float factor);

    /// <summary>
    /// SGD with momentum and weight decay on one parameter, element by element: v = momentum * v + (g + decay * w);
    /// w = w - learningRate * v, the optimizer's update. CPU backends give the same bits whatever the vector width.
    /// </summary>
    void SgdUpdate(Tensor weight, Tensor gradient, Tensor velocity, float learningRate, float momentum, float decay);

    /// <summary>
    /// An inverted-dropout mask: mask[n, i] = CounterRandom.Uniform(sampleKeys[n], i) &lt; probability ? 0 : 1 / (1 - probability),
    /// for the N batch items of <paramref name="mask"/> and i over an item's elements. The keys are formed on the host.
    /// </summary>
    void DropoutMask(Tensor mask, float probability, ReadOnlySpan<ulong> sampleKeys);

    /// <summary>
    /// Square-kernel, stride-1 convolution with zero padding: output[n, o, y, x] = bias[o] +
    /// sum over c, i, j of weight[o, c, i, j] * input[n, c, y + i - padding, x + j - padding].
    /// Shapes: input [N, C, H, W], weight [O, C, K, K], bias [O], output [N, O, H + 2p - K + 1, W + 2p - K + 1].
    /// </summary>
    void Conv2dForward(Tensor input, Tensor weight, Tensor bias, Tensor output, int padding);

    /// <summary>The gradient of <see cref="Conv2dForward"/> with respect to its input (overwrites <paramref name="gradInput"/>).</summary>
    void Conv2dBackwardData(Tensor gradOutput, Tensor weight, Tensor gradInput, int padding);

    /// <summary>Adds the gradients of <see cref="Conv2dForward"/> with respect to weight and bias.</summary>
    void Conv2dBackwardFilter(Tensor input, Tensor gradOutput, Tensor gradWeight, Tensor gradBias, int padding);

    /// <summary>Fully-connected layer: output[n, o] = bias[o] + sum over i of input[n, i] * weight[o, i]. Weight is [Out, In], as in PyTorch.</summary>
    void LinearForward(Tensor input, Tensor weight, Tensor bias, Tensor output);

    /// <summary>The gradient of <see cref="LinearForward"/> with respect to its input (overwrites <paramref name="gradInput"/>).</summary>
    void LinearBackwardData(Tensor gradOutput, Tensor weight, Tensor gradInput);

    /// <summary>Adds the gradients of <see cref="LinearForward"/> with respect to weight and bias.</summary>
    void LinearBackwardWeights(Tensor input, Tensor gradOutput, Tensor gradWeight, Tensor gradBias);

    /// <summary>output = max(input, 0). May run in place (output == input).</summary>
    void ReluForward(Tensor input, Tensor output);

    /// <summary>gradInput = gradOutput where the forward output was positive, else 0.</summary>
    void ReluBackward(Tensor output, Tensor gradOutput, Tensor gradInput);

    /// <summary>
    /// 2x2 max pooling with stride 2 (odd trailing rows and columns are dropped, as in Caffe's floor mode).
    /// <paramref name="argmax"/> receives, per output element, the index within its input plane (y * W + x) of the
    /// maximum; ties go to the first in row-major order. <paramref name="argmax"/> has the output's shape and holds int32
    /// indices in its 4-byte elements; a backend that does not need it (one that recomputes it from input and output in
    /// backward) may leave it untouched.
    /// </summary>
    void MaxPoolForward(Tensor input, Tensor output, Tensor argmax);

    /// <summary>Routes each output gradient to the input position its argmax names (overwrites <paramref name="gradInput"/>).</summary>
    void MaxPoolBackward(Tensor gradOutput, Tensor argmax, Tensor gradInput);

    /// <summary>
    /// Local response normalisation across channels: scale = k + alpha / size * (sum of input² over the
    /// <c>size</c> neighbouring channels), output = input * scale^-beta. <paramref name="scale"/> is kept for backward.
    /// </summary>
    void LrnForward(Tensor input, Tensor output, Tensor scale, LrnParameters parameters);

    /// <summary>The gradient of <see cref="LrnForward"/> with respect to its input (overwrites <paramref name="gradInput"/>).</summary>
    void LrnBackward(Tensor input, Tensor output, Tensor scale, Tensor gradOutput, Tensor gradInput, LrnParameters parameters);

    /// <summary>
    /// Batch normalisation in training mode: normalises each channel by the batch's mean and biased variance,
    /// stores the mean and 1/sqrt(var + eps) for backward, and moves the running statistics towards the batch's
    /// (running = (1 - momentum) * running + momentum * batch, with the unbiased variance, as PyTorch does).
    /// </summary>
    void BatchNormForwardTraining(Tensor input, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVariance,
        float momentum, float epsilon, Tensor output, Tensor savedMean, Tensor savedInverseStd);

    /// <summary>Batch normalisation in evaluation mode, with the running statistics.</summary>
    void BatchNormForwardInference(Tensor input, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVariance,
        float epsilon, Tensor output);

    /// <summary>
    /// The gradient of <see cref="BatchNormForwardTraining"/>: overwrites <paramref name="gradInput"/> and adds to
    /// <paramref name="gradGamma"/> and <paramref name="gradBeta"/>.
    /// </summary>
    void BatchNormBackward(Tensor input, Tensor gradOutput, Tensor gamma, Tensor savedMean, Tensor savedInverseStd,
        Tensor gradInput, Tensor gradGamma, Tensor gradBeta);

    /// <summary>
    /// Batch normalisation's statistics as sums, for a batch split across processes (synchronised batch norm), whose
    /// sums are added up before use (on the host, so the sums are host memory): per channel c, the sum over the batch and the spatial positions of x, or of
    /// (x - mean[c])² when <paramref name="mean"/> is given, into <paramref name="sums"/>[c] (overwritten).
    /// </summary>
    void BatchNormSums(Tensor input, Tensor? mean, Span<double> sums);

    /// <summary>
    /// Normalises each channel with given statistics: output = (x - mean[c]) * inverseStd[c] * gamma[c] + beta[c], the
    /// scale formed as in <see cref="BatchNormForwardTraining"/>, which gives the same bits from the same statistics.
    /// </summary>
    void BatchNormNormalize(Tensor input, Tensor gamma, Tensor beta, Tensor mean, Tensor inverseStd, Tensor output);

    /// <summary>
    /// The sums batch norm's gradient needs, per channel c over the batch and the spatial positions:
    /// <paramref name="sums"/>[c] = sum of dy and <paramref name="sums"/>[C + c] = sum of dy * (x - mean[c]) (overwritten).
    /// </summary>
    void BatchNormGradientSums(Tensor input, Tensor gradOutput, Tensor mean, Span<double> sums);

    /// <summary>
    /// Batch norm's input gradient from sums (as <see cref="BatchNormGradientSums"/> lays them out) over a whole batch
    /// of <paramref name="count"/> values per channel, possibly spread across processes:
    /// dx = gamma * s * (dy - sum(dy) / count - (x - mean) * s² * sum(dy (x - mean)) / count), s = 1/sqrt(var + eps).
    /// Overwrites <paramref name="gradInput"/>.
    /// </summary>
    void BatchNormBackwardData(Tensor input, Tensor gradOutput, Tensor gamma, Tensor savedMean, Tensor savedInverseStd,
        ReadOnlySpan<double> sums, long count, Tensor gradInput);

    /// <summary>Element-wise product: output = a * b (used for dropout masks). May run in place.</summary>
    void Multiply(Tensor a, Tensor b, Tensor output);

    /// <summary>
    /// Softmax of each row of <paramref name="logits"/> [N, classes] into <paramref name="probabilities"/>, and the
    /// gradient of the mean cross-entropy, weighted by <paramref name="share"/>, into <paramref name="gradLogits"/>:
    /// ((p - onehot(label)) / N) * share (divided first, so that share 1 gives the unweighted bits). Adds to
    /// <paramref name="totals"/> [2]: [0] += the sum over the rows of -log p[label], [1] += the rows whose first
    /// maximal probability is at the label. The totals stay on the device until read back.
    /// </summary>
    void SoftmaxCrossEntropy(Tensor logits, ReadOnlySpan<int> labels, Tensor probabilities, Tensor gradLogits, float share, Tensor totals);

    /// <summary>Softmax of each row of <paramref name="logits"/> [N, classes] (numerically stable).</summary>
    void Softmax(Tensor logits, Tensor probabilities);
}
