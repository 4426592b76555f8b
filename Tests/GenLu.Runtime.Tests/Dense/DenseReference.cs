using System.Numerics;
using GenLu;
using GenLu.Dense;

namespace GenLu.Tests.Dense;

/// <summary>
/// Naive double-precision reference code for the dense LU tests: indexing by layout, seeded random
/// matrices, expanding compact LU storage into explicit L and U, and products and norms, all written
/// here independently of the library.
/// </summary>
internal static class DenseReference
{
    public static int Index(int i, int j, int leadingDimension, MatrixLayout layout) =>
        layout == MatrixLayout.ColumnMajor ? i + (j * leadingDimension) : (i * leadingDimension) + j;

    public static double Get<T>(T[] a, int i, int j, int leadingDimension, MatrixLayout layout)
        where T : INumberBase<T> =>
        double.CreateChecked(a[Index(i, j, leadingDimension, layout)]);

    /// <summary>Entries uniform in [-1, 1) plus <paramref name="diagonalShift"/> on the diagonal.</summary>
    public static T[] Random<T>(int rows, int cols, int leadingDimension, MatrixLayout layout, int seed, double diagonalShift = 0)
        where T : INumberBase<T>
    {
        var random = new Random(seed);
        int lines = layout == MatrixLayout.ColumnMajor ? cols : rows;
        var a = new T[Math.Max(1, lines * leadingDimension)];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                double value = (2 * random.NextDouble()) - 1 + (i == j ? diagonalShift : 0);
                a[Index(i, j, leadingDimension, layout)] = T.CreateChecked(value);
            }
        }

        return a;
    }

    /// <summary>Standard normal samples (Box-Muller) from a seeded generator.</summary>
    public static double NextGaussian(this Random random)
    {
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    public static double[,] ToDense<T>(T[] a, int rows, int cols, int leadingDimension, MatrixLayout layout)
        where T : INumberBase<T>
    {
        var dense = new double[rows, cols];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
                dense[i, j] = Get(a, i, j, leadingDimension, layout);
        }

        return dense;
    }

    /// <summary>L (rows x k, unit diagonal) and U (k x cols) from LAPACK's compact storage.</summary>
    public static (double[,] L, double[,] U) ExpandFactors<T>(T[] lu, int rows, int cols, int leadingDimension, MatrixLayout layout)
        where T : INumberBase<T>
    {
        int k = Math.Min(rows, cols);
        var l = new double[rows, k];
        var u = new double[k, cols];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < k; j++)
                l[i, j] = i == j ? 1 : i > j ? Get(lu, i, j, leadingDimension, layout) : 0;
        }

        for (int i = 0; i < k; i++)
        {
            for (int j = i; j < cols; j++)
                u[i, j] = Get(lu, i, j, leadingDimension, layout);
        }

        return (l, u);
    }

    /// <summary>max |A[perm[i], j] - (L U)[i, j]| over the rows x cols sub-matrix.</summary>
    public static double MaxPermutedResidual(double[,] original, int[] perm, double[,] product)
    {
        double worst = 0;
        for (int i = 0; i < product.GetLength(0); i++)
        {
            for (int j = 0; j < product.GetLength(1); j++)
                worst = Math.Max(worst, Math.Abs(original[perm[i], j] - product[i, j]));
        }

        return worst;
    }

    public static double MaxAbs(double[,] a)
    {
        double worst = 0;
        foreach (double value in a)
            worst = Math.Max(worst, Math.Abs(value));
        return worst;
    }

    public static double MaxAbs(IEnumerable<double> values) => values.Select(Math.Abs).DefaultIfEmpty(0).Max();

    /// <summary>max_i sum_j |a[i, j]| (of A^T when transposed).</summary>
    public static double InfinityNorm(double[,] a, bool transpose = false)
    {
        int rows = a.GetLength(0), cols = a.GetLength(1);
        double worst = 0;
        for (int i = 0; i < (transpose ? cols : rows); i++)
        {
            double sum = 0;
            for (int j = 0; j < (transpose ? rows : cols); j++)
                sum += Math.Abs(transpose ? a[j, i] : a[i, j]);
            worst = Math.Max(worst, sum);
        }

        return worst;
    }

    public static double Epsilon<T>() => typeof(T) == typeof(float) ? Math.Pow(2, -23) : Math.Pow(2, -52);

    /// <summary>Asserts perm[0..n) holds each of 0..n-1 exactly once.</summary>
    public static void ShouldBePermutation(ReadOnlySpan<int> perm, int n)
    {
        var sorted = perm[..n].ToArray();
        Array.Sort(sorted);
        sorted.ShouldBe(Enumerable.Range(0, n).ToArray());
    }
}
