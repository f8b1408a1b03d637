using System.Runtime.CompilerServices;

namespace VggSharp.Kernels.Fast;

/// <summary>
/// Moves a chunk of images between NCHW and the channel-major matrix a chunked convolution GEMM reads or writes:
/// matrix[c, n * plane + p] = planes[n, c, p], a row per channel and the images side by side, as im2col lays them.
/// </summary>
internal static unsafe class ChannelMajor
{
    /// <summary>Copies NCHW <paramref name="planes"/> into <paramref name="matrix"/>; channels are split over the workers.</summary>
    public static void Gather(Workers workers, float* planes, int images, int channels, int plane, float* matrix)
    {
        var job = new Moving(planes, matrix, images, channels, plane, toMatrix: true);
        workers.For(channels, ref job);
    }

    /// <summary>Copies <paramref name="matrix"/> into NCHW <paramref name="planes"/>; channels are split over the workers.</summary>
    public static void Scatter(Workers workers, float* matrix, int images, int channels, int plane, float* planes)
    {
        var job = new Moving(planes, matrix, images, channels, plane, toMatrix: false);
        workers.For(channels, ref job);
    }

    private readonly struct Moving(float* planes, float* matrix, int images, int channels, int plane, bool toMatrix) : IWorkPiece
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int c)
        {
            float* row = matrix + (long)c * images * plane;
            for (int n = 0; n < images; n++)
            {
                float* image = planes + ((long)n * channels + c) * plane;
                if (toMatrix) Buffer.MemoryCopy(image, row + n * plane, plane * sizeof(float), plane * sizeof(float));
                else Buffer.MemoryCopy(row + n * plane, image, plane * sizeof(float), plane * sizeof(float));
            }
        }
    }
}
