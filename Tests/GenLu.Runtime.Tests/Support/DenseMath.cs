namespace GenLu.Tests.Support;

/// <summary>Textbook dense linear algebra in double, independent of the Runtime's code.</summary>
internal static class DenseMath
{
    public static double[,] Multiply(double[,] a, double[,] b)
    {
        int m = a.GetLength(0), inner = a.GetLength(1), n = b.GetLength(1);
        inner.ShouldBe(b.GetLength(0));
        var c = new double[m, n];
        for (int i = 0; i < m; i++)
        {
            for (int p = 0; p < inner; p++)
            {
                double aip = a[i, p];
                for (int j = 0; j < n; j++)
                    c[i, j] += aip * b[p, j];
            }
        }

        return c;
    }

    public static double[] Multiply(double[,] a, double[] x, bool transpose = false)
    {
        int rows = a.GetLength(0), cols = a.GetLength(1);
        var y = new double[transpose ? cols : rows];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                if (transpose)
                    y[j] += a[i, j] * x[i];
                else
                    y[i] += a[i, j] * x[j];
            }
        }

        return y;
    }

    public static double[,] FromRowMajor(double[] values, int n)
    {
        var a = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) a[i, j] = values[i * n + j];
        return a;
    }

    /// <summary>The row-major <c>A ⊕ I</c> of order <paramref name="padded"/> for the row-major n x n matrix A.</summary>
    public static double[] PaddedWithIdentity(double[] a, int n, int padded)
    {
        var result = new double[padded * padded];
        for (int i = 0; i < padded; i++)
        {
            for (int j = 0; j < padded; j++)
                result[(i * padded) + j] = i < n && j < n ? a[(i * n) + j] : i == j ? 1 : 0;
        }

        return result;
    }

    public static double[,] Transpose(double[,] a)
    {
        int n = a.GetLength(0), m = a.GetLength(1);
        var t = new double[m, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++) t[j, i] = a[i, j];
        return t;
    }

    public static double[,] Scale(double[,] a, double s)
    {
        var c = (double[,])a.Clone();
        for (int i = 0; i < c.GetLength(0); i++)
            for (int j = 0; j < c.GetLength(1); j++) c[i, j] *= s;
        return c;
    }

    /// <summary>Gaussian elimination with partial pivoting on a copy.</summary>
    public static double[] Solve(double[,] matrix, double[] b)
    {
        int n = b.Length;
        var a = (double[,])matrix.Clone();
        var x = (double[])b.Clone();
        for (int k = 0; k < n; k++)
        {
            int pivot = k;
            for (int r = k + 1; r < n; r++) if (Math.Abs(a[r, k]) > Math.Abs(a[pivot, k])) pivot = r;
            if (a[pivot, k] == 0) throw new InvalidOperationException("singular test matrix");
            for (int c = 0; c < n; c++) (a[k, c], a[pivot, c]) = (a[pivot, c], a[k, c]);
            (x[k], x[pivot]) = (x[pivot], x[k]);
            for (int r = k + 1; r < n; r++)
            {
                double f = a[r, k] / a[k, k];
                if (f == 0) continue;
                for (int c = k; c < n; c++) a[r, c] -= f * a[k, c];
                x[r] -= f * x[k];
            }
        }
        for (int k = n - 1; k >= 0; k--)
        {
            double sum = x[k];
            for (int c = k + 1; c < n; c++) sum -= a[k, c] * x[c];
            x[k] = sum / a[k, k];
        }
        return x;
    }

    public static double Norm(ReadOnlySpan<double> v)
    {
        double sum = 0;
        foreach (double value in v) sum += value * value;
        return Math.Sqrt(sum);
    }

    /// <summary>‖expected − actual‖₂ / ‖expected‖₂.</summary>
    public static double RelativeError(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual) => RelativeError(expected, ToDouble(actual));

    /// <summary>‖expected − actual‖₂ / ‖expected‖₂.</summary>
    public static double RelativeError(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual)
    {
        double diff = 0, norm = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            diff += (expected[i] - actual[i]) * (expected[i] - actual[i]);
            norm += expected[i] * expected[i];
        }
        return Math.Sqrt(diff / norm);
    }

    /// <summary>κ₁(A) = ‖A‖₁ ‖A⁻¹‖₁ of a row-major n x n matrix, the inverse's columns from a dense double LU.</summary>
    public static double ConditionNumber1(double[] a, int n)
    {
        var lu = new GenLu.Dense.LuFactorization<double>(a, n, GenLu.Dense.MatrixLayout.RowMajor);
        double inverse = 0;
        var e = new double[n];
        var column = new double[n];
        for (int j = 0; j < n; j++)
        {
            Array.Clear(e);
            e[j] = 1;
            lu.Solve(e, column);
            inverse = Math.Max(inverse, column.Sum(Math.Abs));
        }
        return inverse * Enumerable.Range(0, n).Max(j => Enumerable.Range(0, n).Sum(i => Math.Abs(a[i * n + j])));
    }

    public static double[] RandomVector(int n, Random random) =>
        Enumerable.Range(0, n).Select(_ => 2 * random.NextDouble() - 1).ToArray();

    public static float[] ToFloat(double[] v) => v.Select(d => (float)d).ToArray();

    public static double[] ToDouble(ReadOnlySpan<float> v) => v.ToArray().Select(f => (double)f).ToArray();
}
