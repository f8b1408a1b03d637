using System.Runtime.InteropServices;
using VggSharp.Evaluation;
using VggSharp.Randomness;
using VggSharp.Tensors;

namespace VggSharp.Kernels.Reference;

/// <summary>
/// Plain loops, one thread, written to be obviously correct: the oracle that every fast kernel is tested against.
/// Sums accumulate in double so that the oracle itself contributes almost no rounding error.
/// </summary>
public sealed class ReferenceBackend : IBackend
{
    /// <inheritdoc />
    public string Name => "reference";

    /// <inheritdoc />
    public Device Device => Device.Cpu;

    /// <inheritdoc />
    public void Synchronize() { }

    /// <inheritdoc />
    public Tensor Allocate(TensorShape shape) => new(shape);

    /// <inheritdoc />
    public void Fill(Tensor tensor, float value)
    {
        var x = tensor.Span;
        for (int i = 0; i < x.Length; i++) x[i] = value;
    }

    /// <inheritdoc />
    public void Scale(Tensor tensor, float factor)
    {
        var x = tensor.Span;
        for (int i = 0; i < x.Length; i++) x[i] *= factor;
    }

    /// <inheritdoc />
    public void SgdUpdate(Tensor weight, Tensor gradient, Tensor velocity, float learningRate, float momentum, float decay)
    {
        ShapeCheck.SameShape(weight, gradient, "weight", "gradient");
        ShapeCheck.SameShape(weight, velocity, "weight", "velocity");
        Span<float> w = weight.Span, g = gradient.Span, v = velocity.Span;
        for (int i = 0; i < w.Length; i++)
        {
            v[i] = momentum * v[i] + (g[i] + decay * w[i]);
            w[i] -= learningRate * v[i];
        }
    }

    /// <inheritdoc />
    public void DropoutMask(Tensor mask, float probability, ReadOnlySpan<ulong> sampleKeys)
    {
        ShapeCheck.Keys(mask, sampleKeys);
        var m = mask.Span;
        int itemSize = mask.Shape.ItemSize;
        for (int n = 0; n < mask.Shape.N; n++)
        for (int i = 0; i < itemSize; i++)
            m[n * itemSize + i] = CounterRandom.Uniform(sampleKeys[n], (ulong)i) < probability ? 0f : 1f / (1f - probability);
    }

    /// <inheritdoc />
    public void Conv2dForward(Tensor input, Tensor weight, Tensor bias, Tensor output, int padding)
    {
        ShapeCheck.Conv(input, weight, output, padding);
        ShapeCheck.Channels(output, bias, "bias");
        Span<float> x = input.Span, w = weight.Span, b = bias.Span, y = output.Span;
        int n = input.Shape.N, c = input.Shape.C, h = input.Shape.H, wd = input.Shape.W;
        int o = weight.Shape[0], k = weight.Shape[2], oh = output.Shape.H, ow = output.Shape.W;
        for (int ni = 0; ni < n; ni++)
        for (int oi = 0; oi < o; oi++)
        for (int yy = 0; yy < oh; yy++)
        for (int xx = 0; xx < ow; xx++)
        {
            double sum = b[oi];
            for (int ci = 0; ci < c; ci++)
            for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
            {
                int iy = yy + i - padding, ix = xx + j - padding;
                if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                sum += (double)w[((oi * c + ci) * k + i) * k + j] * x[((ni * c + ci) * h + iy) * wd + ix];
            }
            y[((ni * o + oi) * oh + yy) * ow + xx] = (float)sum;
        }
    }

    /// <inheritdoc />
    public void Conv2dBackwardData(Tensor gradOutput, Tensor weight, Tensor gradInput, int padding)
    {
        ShapeCheck.Conv(gradInput, weight, gradOutput, padding);
        Span<float> dy = gradOutput.Span, w = weight.Span, dx = gradInput.Span;
        int n = gradInput.Shape.N, c = gradInput.Shape.C, h = gradInput.Shape.H, wd = gradInput.Shape.W;
        int o = weight.Shape[0], k = weight.Shape[2], oh = gradOutput.Shape.H, ow = gradOutput.Shape.W;
        for (int ni = 0; ni < n; ni++)
        for (int ci = 0; ci < c; ci++)
        for (int iy = 0; iy < h; iy++)
        for (int ix = 0; ix < wd; ix++)
        {
            double sum = 0;
            for (int oi = 0; oi < o; oi++)
            for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
            {
                int yy = iy - i + padding, xx = ix - j + padding;
                if (yy < 0 || yy >= oh || xx < 0 || xx >= ow) continue;
                sum += (double)w[((oi * c + ci) * k + i) * k + j] * dy[((ni * o + oi) * oh + yy) * ow + xx];
            }
            dx[((ni * c + ci) * h + iy) * wd + ix] = (float)sum;
        }
    }

    /// <inheritdoc />
    public void Conv2dBackwardFilter(Tensor input, Tensor gradOutput, Tensor gradWeight, Tensor gradBias, int padding)
    {
        ShapeCheck.Conv(input, gradWeight, gradOutput, padding);
        ShapeCheck.Channels(gradOutput, gradBias, "gradBias");
        Span<float> x = input.Span, dy = gradOutput.Span, dw = gradWeight.Span, db = gradBias.Span;
        int n = input.Shape.N, c = input.Shape.C, h = input.Shape.H, wd = input.Shape.W;
        int o = gradWeight.Shape[0], k = gradWeight.Shape[2], oh = gradOutput.Shape.H, ow = gradOutput.Shape.W;
        for (int oi = 0; oi < o; oi++)
        {
            double bsum = 0;
            for (int ni = 0; ni < n; ni++)
            for (int p = 0; p < oh * ow; p++)
                bsum += dy[(ni * o + oi) * oh * ow + p];
            db[oi] += (float)bsum;
            for (int ci = 0; ci < c; ci++)
            for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
            {
                double sum = 0;
                for (int ni = 0; ni < n; ni++)
                for (int yy = 0; yy < oh; yy++)
                for (int xx = 0; xx < ow; xx++)
                {
                    int iy = yy + i - padding, ix = xx + j - padding;
                    if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                    sum += (double)dy[((ni * o + oi) * oh + yy) * ow + xx] * x[((ni * c + ci) * h + iy) * wd + ix];
                }
                dw[((oi * c + ci) * k + i) * k + j] += (float)sum;
            }
        }
    }

    /// <inheritdoc />
    public void LinearForward(Tensor input, Tensor weight, Tensor bias, Tensor output)
    {
        ShapeCheck.Linear(input, weight, output);
        ShapeCheck.Channels(output, bias, "bias");
        Span<float> x = input.Span, w = weight.Span, b = bias.Span, y = output.Span;
        int n = input.Shape[0], inF = input.Shape[1], outF = weight.Shape[0];
        for (int ni = 0; ni < n; ni++)
        for (int o = 0; o < outF; o++)
        {
            double sum = b[o];
            for (int i = 0; i < inF; i++) sum += (double)x[ni * inF + i] * w[o * inF + i];
            y[ni * outF + o] = (float)sum;
        }
    }

    /// <inheritdoc />
    public void LinearBackwardData(Tensor gradOutput, Tensor weight, Tensor gradInput)
    {
        ShapeCheck.Linear(gradInput, weight, gradOutput);
        Span<float> dy = gradOutput.Span, w = weight.Span, dx = gradInput.Span;
        int n = gradInput.Shape[0], inF = gradInput.Shape[1], outF = weight.Shape[0];
        for (int ni = 0; ni < n; ni++)
        for (int i = 0; i < inF; i++)
        {
            double sum = 0;
            for (int o = 0; o < outF; o++) sum += (double)dy[ni * outF + o] * w[o * inF + i];
            dx[ni * inF + i] = (float)sum;
        }
    }

    /// <inheritdoc />
    public void LinearBackwardWeights(Tensor input, Tensor gradOutput, Tensor gradWeight, Tensor gradBias)
    {
        ShapeCheck.Linear(input, gradWeight, gradOutput);
        ShapeCheck.Channels(gradOutput, gradBias, "gradBias");
        Span<float> x = input.Span, dy = gradOutput.Span, dw = gradWeight.Span, db = gradBias.Span;
        int n = input.Shape[0], inF = input.Shape[1], outF = gradWeight.Shape[0];
        for (int o = 0; o < outF; o++)
        {
            double bsum = 0;
            for (int ni = 0; ni < n; ni++) bsum += dy[ni * outF + o];
            db[o] += (float)bsum;
            for (int i = 0; i < inF; i++)
            {
                double sum = 0;
                for (int ni = 0; ni < n; ni++) sum += (double)dy[ni * outF + o] * x[ni * inF + i];
                dw[o * inF + i] += (float)sum;
            }
        }
    }

    /// <inheritdoc />
    public void ReluForward(Tensor input, Tensor output)
    {
        ShapeCheck.SameShape(input, output, "input", "output");
        Span<float> x = input.Span, y = output.Span;
        for (int i = 0; i < x.Length; i++) y[i] = x[i] > 0 ? x[i] : 0f;
    }

    /// <inheritdoc />
    public void ReluBackward(Tensor output, Tensor gradOutput, Tensor gradInput)
    {
        ShapeCheck.SameShape(output, gradOutput, "output", "gradOutput");
        ShapeCheck.SameShape(output, gradInput, "output", "gradInput");
        Span<float> y = output.Span, dy = gradOutput.Span, dx = gradInput.Span;
        for (int i = 0; i < y.Length; i++) dx[i] = y[i] > 0 ? dy[i] : 0f;
    }

    /// <inheritdoc />
    public void MaxPoolForward(Tensor input, Tensor output, Tensor argmaxTensor)
    {
        ShapeCheck.Pool(input, output, argmaxTensor);
        Span<float> x = input.Span, y = output.Span;
        var argmax = MemoryMarshal.Cast<float, int>(argmaxTensor.Span);
        int planes = input.Shape.N * input.Shape.C, h = input.Shape.H, w = input.Shape.W, oh = h / 2, ow = w / 2;
        for (int p = 0; p < planes; p++)
        for (int yy = 0; yy < oh; yy++)
        for (int xx = 0; xx < ow; xx++)
        {
            int best = (2 * yy) * w + 2 * xx;
            for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++)
            {
                int idx = (2 * yy + i) * w + 2 * xx + j;
                if (x[p * h * w + idx] > x[p * h * w + best]) best = idx;
            }
            int o = (p * oh + yy) * ow + xx;
            y[o] = x[p * h * w + best];
            argmax[o] = best;
        }
    }

    /// <inheritdoc />
    public void MaxPoolBackward(Tensor gradOutput, Tensor argmaxTensor, Tensor gradInput)
    {
        ShapeCheck.Pool(gradInput, gradOutput, argmaxTensor);
        Span<float> dy = gradOutput.Span, dx = gradInput.Span;
        var argmax = MemoryMarshal.Cast<float, int>(argmaxTensor.Span);
        dx.Clear();
        int planes = gradInput.Shape.N * gradInput.Shape.C, plane = gradInput.Shape.H * gradInput.Shape.W;
        int outPlane = gradOutput.Length / planes;
        for (int p = 0; p < planes; p++)
        for (int i = 0; i < outPlane; i++)
        {
            int a = argmax[p * outPlane + i];
            if ((uint)a >= (uint)plane) throw new ArgumentException($"argmax {a} is outside the input plane.");
            dx[p * plane + a] += dy[p * outPlane + i];
        }
    }

    /// <inheritdoc />
    public void LrnForward(Tensor input, Tensor output, Tensor scale, LrnParameters parameters)
    {
        ShapeCheck.Rank(input, 4, "input");
        ShapeCheck.SameShape(input, output, "input", "output");
        ShapeCheck.SameShape(input, scale, "input", "scale");
        Span<float> x = input.Span, y = output.Span, s = scale.Span;
        int n = input.Shape.N, c = input.Shape.C, hw = input.Shape.H * input.Shape.W;
        int before = parameters.Size / 2, after = (parameters.Size - 1) / 2;
        for (int ni = 0; ni < n; ni++)
        for (int ci = 0; ci < c; ci++)
        for (int p = 0; p < hw; p++)
        {
            double sum = 0;
            for (int cj = Math.Max(0, ci - before); cj <= Math.Min(c - 1, ci + after); cj++)
            {
                double v = x[(ni * c + cj) * hw + p];
                sum += v * v;
            }
            int idx = (ni * c + ci) * hw + p;
            double sc = parameters.K + parameters.Alpha / parameters.Size * sum;
            s[idx] = (float)sc;
            y[idx] = (float)(x[idx] * Math.Pow(sc, -parameters.Beta));
        }
    }

    /// <inheritdoc />
    public void LrnBackward(Tensor input, Tensor output, Tensor scale, Tensor gradOutput, Tensor gradInput, LrnParameters parameters)
    {
        ShapeCheck.Rank(input, 4, "input");
        foreach (var (t, name) in new[] { (output, "output"), (scale, "scale"), (gradOutput, "gradOutput"), (gradInput, "gradInput") })
            ShapeCheck.SameShape(input, t, "input", name);
        Span<float> x = input.Span, y = output.Span, s = scale.Span, dy = gradOutput.Span, dx = gradInput.Span;
        int n = input.Shape.N, c = input.Shape.C, hw = input.Shape.H * input.Shape.W;
        int before = parameters.Size / 2, after = (parameters.Size - 1) / 2;
        double factor = 2.0 * parameters.Alpha * parameters.Beta / parameters.Size;
        for (int ni = 0; ni < n; ni++)
        for (int cj = 0; cj < c; cj++)
        for (int p = 0; p < hw; p++)
        {
            int j = (ni * c + cj) * hw + p;
            // Output channel ci depends on input channel cj when cj lies in ci's window.
            double cross = 0;
            for (int ci = Math.Max(0, cj - after); ci <= Math.Min(c - 1, cj + before); ci++)
            {
                int i = (ni * c + ci) * hw + p;
                cross += (double)dy[i] * y[i] / s[i];
            }
            dx[j] = (float)(dy[j] * Math.Pow(s[j], -parameters.Beta) - factor * x[j] * cross);
        }
    }

    /// <inheritdoc />
    public void BatchNormForwardTraining(Tensor input, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVariance,
        float momentum, float epsilon, Tensor output, Tensor savedMean, Tensor savedInverseStd)
    {
        CheckBatchNorm(input, output, gamma, beta, runningMean, runningVariance, savedMean, savedInverseStd);
        Span<float> x = input.Span, y = output.Span;
        Span<float> g = gamma.Span, b = beta.Span, rm = runningMean.Span, rv = runningVariance.Span, sm = savedMean.Span, si = savedInverseStd.Span;
        var (n, c, hw) = BatchNormDims(input);
        long count = (long)n * hw;
        for (int ci = 0; ci < c; ci++)
        {
            double sum = 0;
            for (int ni = 0; ni < n; ni++)
            for (int p = 0; p < hw; p++) sum += x[(ni * c + ci) * hw + p];
            double mean = sum / count;
            double sq = 0;
            for (int ni = 0; ni < n; ni++)
            for (int p = 0; p < hw; p++)
            {
                double d = x[(ni * c + ci) * hw + p] - mean;
                sq += d * d;
            }
            double variance = sq / count;
            double inv = 1.0 / Math.Sqrt(variance + epsilon);
            for (int ni = 0; ni < n; ni++)
            for (int p = 0; p < hw; p++)
            {
                int i = (ni * c + ci) * hw + p;
                y[i] = (float)((x[i] - mean) * inv * g[ci] + b[ci]);
            }
            sm[ci] = (float)mean;
            si[ci] = (float)inv;
            double unbiased = count > 1 ? sq / (count - 1) : variance;
            rm[ci] = (float)((1 - momentum) * rm[ci] + momentum * mean);
            rv[ci] = (float)((1 - momentum) * rv[ci] + momentum * unbiased);
        }
    }

    /// <inheritdoc />
    public void BatchNormForwardInference(Tensor input, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVariance,
        float epsilon, Tensor output)
    {
        CheckBatchNorm(input, output, gamma, beta, runningMean, runningVariance);
        Span<float> x = input.Span, y = output.Span;
        Span<float> g = gamma.Span, b = beta.Span, rm = runningMean.Span, rv = runningVariance.Span;
        var (n, c, hw) = BatchNormDims(input);
        for (int ni = 0; ni < n; ni++)
        for (int ci = 0; ci < c; ci++)
        {
            double inv = 1.0 / Math.Sqrt(rv[ci] + (double)epsilon);
            for (int p = 0; p < hw; p++)
            {
                int i = (ni * c + ci) * hw + p;
                y[i] = (float)((x[i] - rm[ci]) * inv * g[ci] + b[ci]);
            }
        }
    }

    /// <inheritdoc />
    public void BatchNormBackward(Tensor input, Tensor gradOutput, Tensor gamma, Tensor savedMean, Tensor savedInverseStd,
        Tensor gradInput, Tensor gradGamma, Tensor gradBeta)
    {
        CheckBatchNorm(input, gradOutput, gamma, savedMean, savedInverseStd, gradGamma, gradBeta);
        ShapeCheck.SameShape(input, gradInput, "input", "gradInput");
        Span<float> x = input.Span, dy = gradOutput.Span, dx = gradInput.Span;
        Span<float> g = gamma.Span, sm = savedMean.Span, si = savedInverseStd.Span, dg = gradGamma.Span, db = gradBeta.Span;
        var (n, c, hw) = BatchNormDims(input);
        long count = (long)n * hw;
        for (int ci = 0; ci < c; ci++)
        {
            double sumDy = 0, sumDyXhat = 0;
            for (int ni = 0; ni < n; ni++)
            for (int p = 0; p < hw; p++)
            {
                int i = (ni * c + ci) * hw + p;
                double xhat = (x[i] - sm[ci]) * (double)si[ci];
                sumDy += dy[i];
                sumDyXhat += dy[i] * xhat;
            }
            for (int ni = 0; ni < n; ni++)
            for (int p = 0; p < hw; p++)
            {
                int i = (ni * c + ci) * hw + p;
                double xhat = (x[i] - sm[ci]) * (double)si[ci];
                dx[i] = (float)(g[ci] * si[ci] * (dy[i] - sumDy / count - xhat * sumDyXhat / count));
            }
            dg[ci] += (float)sumDyXhat;
            db[ci] += (float)sumDy;
        }
    }

    /// <inheritdoc />
    public void BatchNormSums(Tensor input, Tensor? mean, Span<double> sums)
    {
        if (mean is null) CheckBatchNorm(input, input);
        else CheckBatchNorm(input, input, mean);
        var (n, c, hw) = BatchNormDims(input);
        ShapeCheck.Sums(input, sums, 1);
        Span<float> x = input.Span;
        for (int ci = 0; ci < c; ci++)
        {
            double center = mean is null ? 0 : mean.Span[ci], sum = 0;
            for (int ni = 0; ni < n; ni++)
            for (int p = 0; p < hw; p++)
            {
                double d = x[(ni * c + ci) * hw + p] - center;
                sum += mean is null ? d : d * d;
            }
            sums[ci] = sum;
        }
    }

    /// <inheritdoc />
    public void BatchNormNormalize(Tensor input, Tensor gamma, Tensor beta, Tensor mean, Tensor inverseStd, Tensor output)
    {
        CheckBatchNorm(input, output, gamma, beta, mean, inverseStd);
        Span<float> x = input.Span, y = output.Span, g = gamma.Span, b = beta.Span, m = mean.Span, s = inverseStd.Span;
        var (n, c, hw) = BatchNormDims(input);
        for (int ni = 0; ni < n; ni++)
        for (int ci = 0; ci < c; ci++)
        for (int p = 0; p < hw; p++)
        {
            int i = (ni * c + ci) * hw + p;
            y[i] = (float)((x[i] - m[ci]) * (double)s[ci] * g[ci] + b[ci]);
        }
    }

    /// <inheritdoc />
    public void BatchNormGradientSums(Tensor input, Tensor gradOutput, Tensor mean, Span<double> sums)
    {
        CheckBatchNorm(input, gradOutput, mean);
        var (n, c, hw) = BatchNormDims(input);
        ShapeCheck.Sums(input, sums, 2);
        Span<float> x = input.Span, dy = gradOutput.Span, m = mean.Span;
        for (int ci = 0; ci < c; ci++)
        {
            double sumDy = 0, sumDyCentered = 0;
            for (int ni = 0; ni < n; ni++)
            for (int p = 0; p < hw; p++)
            {
                int i = (ni * c + ci) * hw + p;
                sumDy += dy[i];
                sumDyCentered += dy[i] * ((double)x[i] - m[ci]);
            }
            sums[ci] = sumDy;
            sums[c + ci] = sumDyCentered;
        }
    }

    /// <inheritdoc />
    public void BatchNormBackwardData(Tensor input, Tensor gradOutput, Tensor gamma, Tensor savedMean, Tensor savedInverseStd,
        ReadOnlySpan<double> sums, long count, Tensor gradInput)
    {
        CheckBatchNorm(input, gradOutput, gamma, savedMean, savedInverseStd);
        ShapeCheck.SameShape(input, gradInput, "input", "gradInput");
        var (n, c, hw) = BatchNormDims(input);
        ShapeCheck.Sums(input, sums, 2);
        ShapeCheck.Count(count);
        Span<float> x = input.Span, dy = gradOutput.Span, dx = gradInput.Span;
        Span<float> g = gamma.Span, sm = savedMean.Span, si = savedInverseStd.Span;
        for (int ci = 0; ci < c; ci++)
        {
            double sumDy = sums[ci], sumDyXhat = sums[c + ci] * si[ci];
            for (int ni = 0; ni < n; ni++)
            for (int p = 0; p < hw; p++)
            {
                int i = (ni * c + ci) * hw + p;
                double xhat = (x[i] - sm[ci]) * (double)si[ci];
                dx[i] = (float)(g[ci] * si[ci] * (dy[i] - sumDy / count - xhat * sumDyXhat / count));
            }
        }
    }

    /// <inheritdoc />
    public void Multiply(Tensor a, Tensor b, Tensor output)
    {
        ShapeCheck.SameShape(a, b, "a", "b");
        ShapeCheck.SameShape(a, output, "a", "output");
        Span<float> x = a.Span, m = b.Span, y = output.Span;
        for (int i = 0; i < x.Length; i++) y[i] = x[i] * m[i];
    }

    /// <inheritdoc />
    public void SoftmaxCrossEntropy(Tensor logits, ReadOnlySpan<int> labels, Tensor probabilities, Tensor gradLogits, float share, Tensor totals)
    {
        ShapeCheck.Labels(logits, labels);
        ShapeCheck.SameShape(logits, gradLogits, "logits", "gradLogits");
        ShapeCheck.Totals(totals);
        Softmax(logits, probabilities);
        Span<float> p = probabilities.Span, g = gradLogits.Span;
        int n = logits.Shape[0], classes = logits.Shape[1];
        double loss = 0;
        int correct = 0;
        for (int ni = 0; ni < n; ni++)
        {
            Span<float> z = logits.Span.Slice(ni * classes, classes), pr = p.Slice(ni * classes, classes);
            // log-softmax computed from the logits keeps the loss finite even when a probability underflows to 0.
            double max = double.NegativeInfinity;
            foreach (float v in z) max = Math.Max(max, v);
            double sum = 0;
            foreach (float v in z) sum += Math.Exp(v - max);
            loss -= z[labels[ni]] - max - Math.Log(sum);
            for (int k = 0; k < classes; k++)
                g[ni * classes + k] = (pr[k] - (k == labels[ni] ? 1f : 0f)) / n * share;
            if (ScoreRanking.ArgMax(pr) == labels[ni]) correct++;
        }
        var sums = totals.Span;
        sums[0] += (float)loss;
        sums[1] += correct;
    }

    /// <inheritdoc />
    public void Softmax(Tensor logits, Tensor probabilities)
    {
        ShapeCheck.Rank(logits, 2, "logits");
        ShapeCheck.SameShape(logits, probabilities, "logits", "probabilities");
        int n = logits.Shape[0], classes = logits.Shape[1];
        for (int ni = 0; ni < n; ni++)
        {
            Span<float> z = logits.Span.Slice(ni * classes, classes), pr = probabilities.Span.Slice(ni * classes, classes);
            double max = double.NegativeInfinity;
            foreach (float v in z) max = Math.Max(max, v);
            double sum = 0;
            foreach (float v in z) sum += Math.Exp(v - max);
            for (int k = 0; k < classes; k++) pr[k] = (float)(Math.Exp(z[k] - max) / sum);
        }
    }

    private static (int N, int C, int Spatial) BatchNormDims(Tensor input)
    {
        var s = input.Shape;
        return (s.N, s[1], s.ItemSize / s[1]);
    }

    private static void CheckBatchNorm(Tensor input, Tensor other, params Tensor[] perChannel)
    {
        if (input.Shape.Rank < 2) throw new ArgumentException($"Batch normalisation needs [N, C, ...] input, got {input.Shape}.");
        ShapeCheck.SameShape(input, other, "input", "output");
        foreach (var t in perChannel) ShapeCheck.Channels(input, t, "per-channel statistic");
    }
}
