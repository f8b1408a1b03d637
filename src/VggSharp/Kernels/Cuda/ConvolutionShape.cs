namespace VggSharp.Kernels.Cuda;

/// <summary>The shape of one convolution: input [N, C, H, W], weight [O, C, K, K], zero padding P on every side, stride 1.</summary>
internal readonly record struct ConvolutionShape(int N, int C, int H, int W, int O, int K, int P)
{
    /// <summary>The output's height.</summary>
    public int OutputH => H + 2 * P - K + 1;

    /// <summary>The output's width.</summary>
    public int OutputW => W + 2 * P - K + 1;

    /// <inheritdoc />
    public override string ToString() => $"[{N}, {C}, {H}, {W}] * [{O}, {C}, {K}, {K}] pad {P}";
}
