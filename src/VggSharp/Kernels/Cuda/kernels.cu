// VggSharp's own CUDA kernels, compiled at run time with NVRTC (no headers: NVRTC builds them with its built-ins only).
// Element-wise float arithmetic uses the explicitly rounded intrinsics (__fmul_rn, __fadd_rn, ...), which the compiler
// never contracts into fused multiply-adds, so that results are bit-identical to the CPU's where the CPU is the contract.
// Every kernel walks its elements with a grid-stride loop, so any grid size covers any length.

typedef unsigned long long u64;

#define GRID_STRIDE(i, n) for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (long long)gridDim.x * blockDim.x)

// VggSharp.Randomness.CounterRandom: SplitMix64's finaliser, Bits and Uniform, in 64-bit integer arithmetic.
__device__ __forceinline__ u64 mix64(u64 z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

__device__ __forceinline__ float counter_uniform(u64 key, u64 counter)
{
    u64 bits = mix64(key + mix64(counter * 0xD1B54A32D192ED03ULL + 1ULL));
    // 24 random bits times 2^-24: both exact in float, as on the CPU.
    return __fmul_rn((float)(bits >> 40), 1.0f / 16777216.0f);
}

extern "C" __global__ void scale_f32(float* x, float factor, long long n)
{
    GRID_STRIDE(i, n) x[i] = __fmul_rn(x[i], factor);
}

extern "C" __global__ void multiply_f32(const float* a, const float* b, float* y, long long n)
{
    GRID_STRIDE(i, n) y[i] = __fmul_rn(a[i], b[i]);
}

extern "C" __global__ void relu_forward(const float* x, float* y, long long n)
{
    GRID_STRIDE(i, n) { float v = x[i]; y[i] = v > 0.0f ? v : 0.0f; }
}

extern "C" __global__ void relu_backward(const float* y, const float* dy, float* dx, long long n)
{
    GRID_STRIDE(i, n) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}

// SgdOptimizer.Update: v = momentum * v + (g + decay * w); w = w - lr * v, each operation rounded on its own.
extern "C" __global__ void sgd_update(float* w, const float* g, float* v, float lr, float momentum, float decay, long long n)
{
    GRID_STRIDE(i, n)
    {
        float wi = w[i];
        float vi = __fadd_rn(__fmul_rn(momentum, v[i]), __fadd_rn(g[i], __fmul_rn(decay, wi)));
        v[i] = vi;
        w[i] = __fsub_rn(wi, __fmul_rn(lr, vi));
    }
}

// Inverted dropout: element i of sample s is 0 with probability p, else keep = 1 / (1 - p) (formed on the host).
extern "C" __global__ void dropout_mask(float* mask, const u64* keys, long long itemSize, long long n, float p, float keep)
{
    GRID_STRIDE(i, n)
    {
        long long sample = i / itemSize;
        mask[i] = counter_uniform(keys[sample], (u64)(i - sample * itemSize)) < p ? 0.0f : keep;
    }
}

// 2x2 max pooling, stride 2, floor mode; the first maximum in row-major order wins (a NaN only when first), as on the CPU.
extern "C" __global__ void max_pool_forward(const float* x, float* y, int* argmax, int h, int w, long long outputs)
{
    int oh = h / 2, ow = w / 2;
    GRID_STRIDE(o, outputs)
    {
        long long plane = o / ((long long)oh * ow);
        int rest = (int)(o - plane * oh * ow), yy = rest / ow, xx = rest % ow;
        const float* xp = x + plane * h * w;
        int best = (2 * yy) * w + 2 * xx;
        int candidates[3] = { best + 1, best + w, best + w + 1 };
        for (int c = 0; c < 3; c++)
            if (xp[candidates[c]] > xp[best]) best = candidates[c];
        y[o] = xp[best];
        argmax[o] = best;
    }
}

// Routes each output gradient to its argmax; the caller zeroes dx first (windows do not overlap, so no races).
extern "C" __global__ void max_pool_backward(const float* dy, const int* argmax, float* dx, int h, int w, long long outputs)
{
    long long outPlane = (long long)(h / 2) * (w / 2);
    GRID_STRIDE(o, outputs) dx[(o / outPlane) * h * w + argmax[o]] = dy[o];
}

// Cross-channel LRN as the reference kernel: scale = k + alpha / size * sum of x^2 over the window, y = x * scale^-beta.
extern "C" __global__ void lrn_forward(const float* x, float* y, float* scale, int channels, int spatial, int size,
    float alpha, float beta, float k, long long n)
{
    int before = size / 2, after = (size - 1) / 2;
    GRID_STRIDE(i, n)
    {
        long long item = i / ((long long)channels * spatial);
        int c = (int)((i / spatial) % channels);
        long long p = i % spatial;
        const float* base = x + item * channels * spatial + p;
        float sum = 0.0f;
        for (int cj = max(0, c - before); cj <= min(channels - 1, c + after); cj++)
        {
            float v = base[(long long)cj * spatial];
            sum = __fadd_rn(sum, __fmul_rn(v, v));
        }
        float s = __fadd_rn(k, __fmul_rn(alpha / size, sum));
        scale[i] = s;
        y[i] = __fmul_rn(x[i], powf(s, -beta));
    }
}

extern "C" __global__ void lrn_backward(const float* x, const float* y, const float* scale, const float* dy, float* dx,
    int channels, int spatial, int size, float alpha, float beta, long long n)
{
    int before = size / 2, after = (size - 1) / 2;
    float factor = 2.0f * alpha * beta / size;
    GRID_STRIDE(j, n)
    {
        long long item = j / ((long long)channels * spatial);
        int cj = (int)((j / spatial) % channels);
        long long p = j % spatial;
        long long base = item * channels * spatial + p;
        float cross = 0.0f;
        for (int ci = max(0, cj - after); ci <= min(channels - 1, cj + before); ci++)
        {
            long long i = base + (long long)ci * spatial;
            cross = __fadd_rn(cross, __fdiv_rn(__fmul_rn(dy[i], y[i]), scale[i]));
        }
        dx[j] = __fsub_rn(__fmul_rn(dy[j], powf(scale[j], -beta)), __fmul_rn(__fmul_rn(factor, x[j]), cross));
    }
}

// Softmax cross-entropy, one thread per row (rows and classes are small): probabilities, the gradient
// ((p - onehot) / rows) * share, and per row the loss -log p[label] (from the logits, in double) and whether the first
// maximal probability is at the label. softmax_totals then adds them up in row order, so totals are deterministic.
extern "C" __global__ void softmax_cross_entropy(const float* logits, const int* labels, float* probabilities, float* grad,
    double* rowLoss, int* rowCorrect, int rows, int classes, float share)
{
    for (int r = blockIdx.x * blockDim.x + threadIdx.x; r < rows; r += gridDim.x * blockDim.x)
    {
        const float* z = logits + (long long)r * classes;
        float* p = probabilities + (long long)r * classes;
        float* g = grad + (long long)r * classes;
        float maxValue = z[0];
        for (int k = 1; k < classes; k++) maxValue = fmaxf(maxValue, z[k]);
        double sum = 0.0;
        for (int k = 0; k < classes; k++) sum += exp((double)z[k] - maxValue);
        int label = labels[r], best = 0;
        for (int k = 0; k < classes; k++)
        {
            float pk = (float)(exp((double)z[k] - maxValue) / sum);
            p[k] = pk;
            if (pk > p[best]) best = k;
            g[k] = __fmul_rn(__fdiv_rn(__fsub_rn(pk, k == label ? 1.0f : 0.0f), (float)rows), share);
        }
        rowLoss[r] = -((double)z[label] - maxValue - log(sum));
        rowCorrect[r] = best == label ? 1 : 0;
    }
}

extern "C" __global__ void softmax_totals(const double* rowLoss, const int* rowCorrect, int rows, float* totals)
{
    if (blockIdx.x != 0 || threadIdx.x != 0) return;
    double loss = 0.0;
    int correct = 0;
    for (int r = 0; r < rows; r++) { loss += rowLoss[r]; correct += rowCorrect[r]; }
    totals[0] = (float)(totals[0] + loss);
    totals[1] = __fadd_rn(totals[1], (float)correct);
}
