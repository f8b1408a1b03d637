namespace VggSharp.Data;

/// <summary>Chooses the DCT-domain scaling factor for a JPEG decode from the caller's short-side hint.</summary>
internal static class JpegScaling
{
    /// <summary>A dimension scaled by num/denom, rounded up: turbojpeg.h's TJSCALED macro.</summary>
    public static int Scaled(int dimension, int num, int denom) => (int)(((long)dimension * num + denom - 1) / denom);

    /// <summary>
    /// The smallest factor no greater than 1 whose scaled short side is still at least <paramref name="shortSideHint"/>;
    /// 1/1 when there is no hint or no factor qualifies (the image is already no larger than the hint).
    /// </summary>
    public static (int Num, int Denom) Choose(int width, int height, int? shortSideHint, IReadOnlyList<(int Num, int Denom)> factors)
    {
        (int Num, int Denom) best = (1, 1);
        if (shortSideHint is not int hint) return best;
        int shortSide = Math.Min(width, height);
        foreach (var (num, denom) in factors)
        {
            bool reduces = num < denom, smallerThanBest = (long)num * best.Denom < (long)best.Num * denom;
            if (reduces && smallerThanBest && Scaled(shortSide, num, denom) >= hint) best = (num, denom);
        }
        return best;
    }
}
