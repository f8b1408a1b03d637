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

// ---- bf16 mixed precision. bfloat16 is kept as its bits (no cuda_bf16.h: NVRTC runs without headers): the top half of
// a float32; float32 -> bf16 rounds to nearest even, NaN stays a (quiet) NaN. Arithmetic is in float32. Channels-last
// tensors are NHWC in memory: an element's channel is its index modulo C.
typedef unsigned short bf16;

__device__ __forceinline__ float bf16_to_f32(bf16 h) { return __uint_as_float(((unsigned)h) << 16); }

__device__ __forceinline__ bf16 f32_to_bf16(float f)
{
    unsigned u = __float_as_uint(f);
    if ((u & 0x7FFFFFFFu) > 0x7F800000u) return (bf16)((u >> 16) | 0x40u);
    u += 0x7FFFu + ((u >> 16) & 1u);
    return (bf16)(u >> 16);
}

// Element i of x, which holds float32 (type 0) or bf16 (type 1).
__device__ __forceinline__ float load_any(const void* x, int type, long long i)
{
    return type ? bf16_to_f32(((const bf16*)x)[i]) : ((const float*)x)[i];
}

__device__ __forceinline__ void store_any(void* y, int type, long long i, float v)
{
    if (type) ((bf16*)y)[i] = f32_to_bf16(v);
    else ((float*)y)[i] = v;
}

// y = x (or y += x, float32 y only) between any two formats of one [items, channels, spatial] tensor: element types
// float32/bf16, layouts NCHW (last 0) and NHWC (last 1). One thread per element of y, so writes are coalesced.
extern "C" __global__ void convert(const void* x, int xType, int xLast, void* y, int yType, int yLast, int accumulate,
    int channels, long long spatial, long long n)
{
    GRID_STRIDE(j, n)
    {
        long long i = j;
        if (xLast != yLast)
        {
            if (yLast)
            {
                int c = (int)(j % channels);
                long long rest = j / channels, p = rest % spatial, item = rest / spatial;
                i = (item * channels + c) * spatial + p;
            }
            else
            {
                long long p = j % spatial, rest = j / spatial, item = rest / channels;
                int c = (int)(rest % channels);
                i = (item * spatial + p) * channels + c;
            }
        }
        float v = load_any(x, xType, i);
        if (yType) ((bf16*)y)[j] = f32_to_bf16(v);
        else
        {
            float* yf = (float*)y;
            yf[j] = accumulate ? __fadd_rn(yf[j], v) : v;
        }
    }
}

// y[j] += b[channel of j] for a tensor (float32 or bf16) whose channel is innermost (NHWC, or [N, C] rows).
extern "C" __global__ void bias_add(void* y, int type, const float* b, int channels, long long n)
{
    GRID_STRIDE(j, n) store_any(y, type, j, __fadd_rn(load_any(y, type, j), b[j % channels]));
}

// Column sums of x [rows, channels] (channel innermost, float32 or bf16), a chunk of rowsPerChunk rows per block column:
// out[chunk, c] = the chunk's sum (+= with accumulate). Blocks are 32 channels x 8 row lanes (blockIdx.x the chunk,
// blockIdx.y the 32-channel tile), the lanes added in order, so the sums are deterministic; the caller repeats it on
// the chunks' sums until one chunk is left (bias gradients).
extern "C" __global__ void sum_rows(const void* x, int type, float* out, int accumulate, int channels, long long rows, long long rowsPerChunk)
{
    __shared__ float lanes[8][33];
    int tx = threadIdx.x & 31, ty = threadIdx.x >> 5;
    int c = blockIdx.y * 32 + tx;
    long long first = (long long)blockIdx.x * rowsPerChunk, last = min(rows, first + rowsPerChunk);
    float sum = 0.0f;
    if (c < channels)
        for (long long r = first + ty; r < last; r += 8) sum = __fadd_rn(sum, load_any(x, type, r * channels + c));
    lanes[ty][tx] = sum;
    __syncthreads();
    if (ty == 0 && c < channels)
    {
        float total = lanes[0][tx];
        for (int k = 1; k < 8; k++) total = __fadd_rn(total, lanes[k][tx]);
        float* o = out + (long long)blockIdx.x * channels + c;
        *o = accumulate ? __fadd_rn(*o, total) : total;
    }
}

extern "C" __global__ void relu_forward_bf16(const bf16* x, bf16* y, long long n)
{
    GRID_STRIDE(i, n) { bf16 v = x[i]; y[i] = bf16_to_f32(v) > 0.0f ? v : (bf16)0; }
}

extern "C" __global__ void relu_backward_bf16(const bf16* y, const bf16* dy, bf16* dx, long long n)
{
    GRID_STRIDE(i, n) dx[i] = bf16_to_f32(y[i]) > 0.0f ? dy[i] : (bf16)0;
}

// y = a * b for bf16 a and y and a float32 b of the same row-major layout (a dropout mask).
extern "C" __global__ void multiply_bf16_f32(const bf16* a, const float* b, bf16* y, long long n)
{
    GRID_STRIDE(i, n) y[i] = f32_to_bf16(__fmul_rn(bf16_to_f32(a[i]), b[i]));
}

// 2x2 max pooling, stride 2, floor mode, on NHWC (float32 or bf16); argmax holds the winner's index within its plane
// (y * w + x), as the NCHW kernel's, and the first maximum in row-major order wins. Values are copied exactly.
extern "C" __global__ void max_pool_forward_nhwc(const void* x, int type, void* y, int* argmax, int channels, int h, int w, long long outputs)
{
    int oh = h / 2, ow = w / 2;
    GRID_STRIDE(o, outputs)
    {
        int c = (int)(o % channels);
        long long rest = o / channels;
        int ox = (int)(rest % ow);
        rest /= ow;
        int oy = (int)(rest % oh);
        long long item = rest / oh;
        long long plane = item * h * w * channels + c;
        int best = (2 * oy) * w + 2 * ox;
        float bestValue = load_any(x, type, plane + (long long)best * channels);
        int candidates[3] = { best + 1, best + w, best + w + 1 };
        for (int k = 0; k < 3; k++)
        {
            float v = load_any(x, type, plane + (long long)candidates[k] * channels);
            if (v > bestValue) { best = candidates[k]; bestValue = v; }
        }
        store_any(y, type, o, bestValue);
        argmax[o] = best;
    }
}

// Its gradient as a gather: each input element takes its window's output gradient when it was the argmax, else 0
// (so dx needs no clearing first; trailing odd rows and columns get 0).
extern "C" __global__ void max_pool_backward_nhwc(const void* dy, int type, const int* argmax, void* dx, int channels, int h, int w, long long inputs)
{
    int oh = h / 2, ow = w / 2;
    GRID_STRIDE(i, inputs)
    {
        int c = (int)(i % channels);
        long long rest = i / channels;
        int xx = (int)(rest % w);
        rest /= w;
        int yy = (int)(rest % h);
        long long item = rest / h;
        int oy = yy / 2, ox = xx / 2;
        float g = 0.0f;
        if (oy < oh && ox < ow)
        {
            long long o = ((item * oh + oy) * ow + ox) * channels + c;
            if (argmax[o] == yy * w + xx) g = load_any(dy, type, o);
        }
        store_any(dx, type, i, g);
    }
}
