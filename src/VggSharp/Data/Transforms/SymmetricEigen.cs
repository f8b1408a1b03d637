namespace VggSharp.Data.Transforms;

/// <summary>
/// Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations, in double: plenty for the 3x3 RGB
/// covariance, and deterministic (a fixed sweep order).
/// </summary>
internal static class SymmetricEigen
{
    /// <summary>
    /// Eigenvalues in descending order, and eigenvectors as rows (vector i at [i * n, (i + 1) * n)), each of unit
    /// length with its largest component positive, so the result is unique for distinct eigenvalues.
    /// </summary>
    public static (double[] Values, double[] Vectors) Decompose(ReadOnlySpan<double> matrix, int n)
    {
        if (n <= 0 || matrix.Length != n * n) throw new ArgumentException($"A {n}x{n} matrix needs {n * n} values, got {matrix.Length}.");
        var a = matrix.ToArray();
        var v = new double[n * n];
        for (int i = 0; i < n; i++) v[i * n + i] = 1;
        for (int sweep = 0; sweep < 64 && OffDiagonal(a, n) > 1e-30 * Math.Max(Diagonal(a, n), double.Epsilon); sweep++)
            for (int p = 0; p < n - 1; p++)
                for (int q = p + 1; q < n; q++)
                    if (a[p * n + q] != 0) Rotate(a, v, n, p, q);

        var order = Enumerable.Range(0, n).OrderByDescending(i => a[i * n + i]).ToArray();
        var values = new double[n];
        var vectors = new double[n * n];
        for (int k = 0; k < n; k++)
        {
            int i = order[k];
            values[k] = a[i * n + i];
            // Column i of v is the eigenvector; choose its sign by the largest component.
            int largest = 0;
            for (int r = 1; r < n; r++) if (Math.Abs(v[r * n + i]) > Math.Abs(v[largest * n + i])) largest = r;
            double sign = v[largest * n + i] < 0 ? -1 : 1;
            for (int r = 0; r < n; r++) vectors[k * n + r] = sign * v[r * n + i];
        }
        return (values, vectors);
    }

    private static void Rotate(double[] a, double[] v, int n, int p, int q)
    {
        double app = a[p * n + p], aqq = a[q * n + q], apq = a[p * n + q];
        // The rotation angle that zeroes a[p, q], in the numerically stable form (smaller root of t^2 + 2 theta t - 1).
        double theta = (aqq - app) / (2 * apq);
        double t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
        double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
        for (int k = 0; k < n; k++)
        {
            double akp = a[k * n + p], akq = a[k * n + q];
            a[k * n + p] = c * akp - s * akq;
            a[k * n + q] = s * akp + c * akq;
        }
        for (int k = 0; k < n; k++)
        {
            double apk = a[p * n + k], aqk = a[q * n + k];
            a[p * n + k] = c * apk - s * aqk;
            a[q * n + k] = s * apk + c * aqk;
        }
        for (int k = 0; k < n; k++)
        {
            double vkp = v[k * n + p], vkq = v[k * n + q];
            v[k * n + p] = c * vkp - s * vkq;
            v[k * n + q] = s * vkp + c * vkq;
        }
    }

    private static double OffDiagonal(double[] a, int n)
    {
        double sum = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                if (i != j) sum += a[i * n + j] * a[i * n + j];
        return sum;
    }

    private static double Diagonal(double[] a, int n)
    {
        double sum = 0;
        for (int i = 0; i < n; i++) sum += a[i * n + i] * a[i * n + i];
        return sum;
    }
}
