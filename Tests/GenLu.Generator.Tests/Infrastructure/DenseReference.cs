using GenLu.Tests.Support;
using GenLu.Gfmm;

namespace GenLu.Tests.Infrastructure;

/// <summary>
/// An independent double-precision oracle: each GFMM block becomes a dense matrix through the project's shared
/// spec-by-loops reference (<see cref="NaiveGfmm"/>, the spec's forward product applied to every unit vector), and
/// systems are solved by textbook Gaussian elimination with partial pivoting.
/// </summary>
internal static class DenseReference
{
    /// <summary><c>s · L U</c> densely, of the blocks' order <c>M · P</c> (a padded model's operator is its leading N x N block).</summary>
    public static double[,] Operator(GfmmModel model)
    {
        var l = NaiveGfmm.Dense(model.L);
        var u = NaiveGfmm.Dense(model.U);
        int n = model.PaddedN;
        var a = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < n; k++)
            {
                double lik = l[i, k];
                if (lik == 0) continue;
                for (int j = 0; j < n; j++) a[i, j] += model.Scale * lik * u[k, j];
            }
        return a;
    }

    public static double[,] Transpose(double[,] a)
    {
        int n = a.GetLength(0);
        var t = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) t[j, i] = a[i, j];
        return t;
    }

    public static double[] Multiply(double[,] a, double[] x)
    {
        int n = x.Length;
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double sum = 0;
            for (int j = 0; j < n; j++) sum += a[i, j] * x[j];
            y[i] = sum;
        }
        return y;
    }

    /// <summary>Gaussian elimination with partial pivoting on a copy of <paramref name="a"/>.</summary>
    public static double[] Solve(double[,] a, double[] b)
    {
        int n = b.Length;
        var m = (double[,])a.Clone();
        var x = (double[])b.Clone();
        for (int k = 0; k < n; k++)
        {
            int pivot = k;
            for (int r = k + 1; r < n; r++)
                if (Math.Abs(m[r, k]) > Math.Abs(m[pivot, k])) pivot = r;
            if (m[pivot, k] == 0) throw new InvalidOperationException("The reference matrix is singular.");
            if (pivot != k)
            {
                for (int c = 0; c < n; c++) (m[k, c], m[pivot, c]) = (m[pivot, c], m[k, c]);
                (x[k], x[pivot]) = (x[pivot], x[k]);
            }
            for (int r = k + 1; r < n; r++)
            {
                double f = m[r, k] / m[k, k];
                if (f == 0) continue;
                for (int c = k; c < n; c++) m[r, c] -= f * m[k, c];
                x[r] -= f * x[k];
            }
        }
        for (int k = n - 1; k >= 0; k--)
        {
            double sum = x[k];
            for (int c = k + 1; c < n; c++) sum -= m[k, c] * x[c];
            x[k] = sum / m[k, k];
        }
        return x;
    }

    /// <summary>The 1-norm condition number <c>‖A‖₁ ‖A⁻¹‖₁</c>, the inverse by Gauss–Jordan elimination with
    /// partial pivoting.</summary>
    public static double ConditionNumber(double[,] a)
    {
        int n = a.GetLength(0);
        var m = (double[,])a.Clone();
        var inverse = new double[n, n];
        for (int i = 0; i < n; i++) inverse[i, i] = 1;
        for (int k = 0; k < n; k++)
        {
            int pivot = k;
            for (int r = k + 1; r < n; r++)
                if (Math.Abs(m[r, k]) > Math.Abs(m[pivot, k])) pivot = r;
            if (m[pivot, k] == 0) return double.PositiveInfinity;
            for (int c = 0; c < n; c++)
            {
                (m[k, c], m[pivot, c]) = (m[pivot, c], m[k, c]);
                (inverse[k, c], inverse[pivot, c]) = (inverse[pivot, c], inverse[k, c]);
            }
            double diagonal = m[k, k];
            for (int c = 0; c < n; c++)
            {
                m[k, c] /= diagonal;
                inverse[k, c] /= diagonal;
            }
            for (int r = 0; r < n; r++)
            {
                double f = m[r, k];
                if (r == k || f == 0) continue;
                for (int c = 0; c < n; c++)
                {
                    m[r, c] -= f * m[k, c];
                    inverse[r, c] -= f * inverse[k, c];
                }
            }
        }
        return OneNorm(a) * OneNorm(inverse);
    }

    private static double OneNorm(double[,] a)
    {
        double best = 0;
        for (int j = 0; j < a.GetLength(1); j++)
        {
            double sum = 0;
            for (int i = 0; i < a.GetLength(0); i++) sum += Math.Abs(a[i, j]);
            best = Math.Max(best, sum);
        }
        return best;
    }

    /// <summary><c>‖actual − expected‖₂ / ‖expected‖₂</c> of a double result.</summary>
    public static double RelativeError(ReadOnlySpan<double> actual, ReadOnlySpan<double> expected)
    {
        double difference = 0, norm = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double d = actual[i] - expected[i];
            difference += d * d;
            norm += expected[i] * expected[i];
        }
        return Math.Sqrt(difference / norm);
    }

    /// <summary><c>‖actual − expected‖₂ / ‖expected‖₂</c>.</summary>
    public static double RelativeError(ReadOnlySpan<float> actual, ReadOnlySpan<double> expected)
    {
        double difference = 0, norm = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double d = actual[i] - expected[i];
            difference += d * d;
            norm += expected[i] * expected[i];
        }
        return Math.Sqrt(difference / norm);
    }
}
