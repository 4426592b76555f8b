using GenLu;
using static GenLu.Tests.Dense.DenseReference;
using static GenLu.Tests.Support.DenseMath;
using GenLu.Dense;

namespace GenLu.Tests.Dense;

public class DenseLuDeterminantTests
{
    /// <summary>
    /// A = rows of an upper triangular T (diagonal d) reordered by a permutation sigma, so det A =
    /// sign(sigma) * prod d without any elimination in the reference.
    /// </summary>
    [Theory]
    [InlineData(6, MatrixLayout.ColumnMajor)]
    [InlineData(75, MatrixLayout.RowMajor)]
    [InlineData(75, MatrixLayout.ColumnMajor)]
    public void DeterminantOfPermutedTriangularMatrixIsSignedDiagonalProduct(int n, MatrixLayout layout)
    {
        var random = new Random(n);
        var triangular = new double[n, n];
        double expectedLog = 0;
        int expectedSign = 1;
        for (int i = 0; i < n; i++)
        {
            double d = (0.5 + random.NextDouble()) * (random.Next(2) == 0 ? -1 : 1);
            triangular[i, i] = d;
            expectedLog += Math.Log(Math.Abs(d));
            expectedSign *= Math.Sign(d);
            for (int j = i + 1; j < n; j++)
                triangular[i, j] = (2 * random.NextDouble()) - 1;
        }

        // sigma built from a counted number of transpositions: sign(sigma) = (-1)^transpositions.
        int[] sigma = Enumerable.Range(0, n).ToArray();
        int transpositions = 0;
        for (int i = n - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            if (j != i)
            {
                (sigma[i], sigma[j]) = (sigma[j], sigma[i]);
                transpositions++;
            }
        }

        expectedSign *= transpositions % 2 == 0 ? 1 : -1;
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
                a[Index(i, j, n, layout)] = triangular[sigma[i], j];
        }

        int[] perm = new int[n];
        DenseLu.Factor<double>(a, n, layout, perm).ShouldBe(0);

        double expected = expectedSign * Math.Exp(expectedLog);
        DenseLu.Determinant<double>(a, n, n, layout, perm).ShouldBe(expected, tolerance: Math.Abs(expected) * 1e-12);
        var (sign, logAbs) = DenseLu.LogDeterminant<double>(a, n, n, layout, perm);
        sign.ShouldBe(expectedSign);
        logAbs.ShouldBe(expectedLog, tolerance: 1e-11);
    }

    /// <summary>A = L U with unit lower L and diag(U) = +-1000: det = +-1e900 overflows double, its log does not.</summary>
    [Fact]
    public void LogDeterminantSurvivesDeterminantOverflow()
    {
        const int n = 300;
        var random = new Random(300);
        var l = new double[n, n];
        var u = new double[n, n];
        int expectedSign = 1;
        for (int i = 0; i < n; i++)
        {
            l[i, i] = 1;
            for (int j = 0; j < i; j++)
                l[i, j] = random.NextDouble() - 0.5;
            u[i, i] = random.Next(2) == 0 ? 1000 : -1000;
            expectedSign *= Math.Sign(u[i, i]);
            for (int j = i + 1; j < n; j++)
                u[i, j] = (2 * random.NextDouble()) - 1;
        }

        var product = Multiply(l, u);
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
                a[Index(i, j, n, MatrixLayout.ColumnMajor)] = product[i, j];
        }

        var factorization = LuFactorization<double>.TakeOwnership(a, n, MatrixLayout.ColumnMajor);

        var (sign, logAbs) = factorization.LogDeterminant();
        sign.ShouldBe(expectedSign);
        logAbs.ShouldBe(n * Math.Log(1000), tolerance: 1e-9);
        double.IsInfinity(factorization.Determinant()).ShouldBeTrue();
        Math.Sign(factorization.Determinant()).ShouldBe(expectedSign);
    }

    [Fact]
    public void FloatDeterminantOfDiagonalTimesPermutation()
    {
        // Rows of diag(2, 3, 4, 5) in the order 2, 0, 3, 1 (a 4-cycle, odd): det = -120.
        int[] order = [2, 0, 3, 1];
        float[] diagonal = [2, 3, 4, 5];
        var a = new float[16];
        for (int i = 0; i < 4; i++)
            a[Index(i, order[i], 4, MatrixLayout.RowMajor)] = diagonal[order[i]];
        int[] perm = new int[4];

        DenseLu.Factor<float>(a, 4, MatrixLayout.RowMajor, perm).ShouldBe(0);

        DenseLu.Determinant<float>(a, 4, 4, MatrixLayout.RowMajor, perm).ShouldBe(-120f);
        var (sign, logAbs) = DenseLu.LogDeterminant<float>(a, 4, 4, MatrixLayout.RowMajor, perm);
        sign.ShouldBe(-1);
        logAbs.ShouldBe(MathF.Log(120f), tolerance: 1e-6f);
    }
}
