using System.Numerics;
using GenLu;
using static GenLu.Tests.Dense.DenseReference;
using static GenLu.Tests.Support.DenseMath;
using GenLu.Dense;

namespace GenLu.Tests.Dense;

/// <summary>
/// Random matrices of sizes around the recursion and packing block sizes, both layouts and precisions,
/// checked with normwise backward errors computed in double.
/// </summary>
public class DenseLuRandomTests
{
    public static TheoryData<int, MatrixLayout> SquareCases()
    {
        var data = new TheoryData<int, MatrixLayout>();
        foreach (int n in new[] { 1, 7, 63, 130, 257 })
        {
            data.Add(n, MatrixLayout.ColumnMajor);
            data.Add(n, MatrixLayout.RowMajor);
        }

        return data;
    }

    public static TheoryData<int, int, MatrixLayout> RectangularCases()
    {
        var data = new TheoryData<int, int, MatrixLayout>();
        foreach (var (rows, cols) in new[] { (130, 63), (63, 130), (257, 9), (9, 257), (300, 140), (16, 16000) })
        {
            data.Add(rows, cols, MatrixLayout.ColumnMajor);
            data.Add(rows, cols, MatrixLayout.RowMajor);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SquareCases))]
    public void DoubleSquareFactorAndSolvesHaveSmallBackwardError(int n, MatrixLayout layout) =>
        CheckSquare<double>(n, layout);

    [Theory]
    [MemberData(nameof(SquareCases))]
    public void FloatSquareFactorAndSolvesHaveSmallBackwardError(int n, MatrixLayout layout) =>
        CheckSquare<float>(n, layout);

    [Theory]
    [MemberData(nameof(RectangularCases))]
    public void DoubleRectangularFactorSatisfiesPaEqualsLu(int rows, int cols, MatrixLayout layout) =>
        CheckFactor<double>(rows, cols, leadingPadding: 3, layout);

    [Theory]
    [MemberData(nameof(RectangularCases))]
    public void FloatRectangularFactorSatisfiesPaEqualsLu(int rows, int cols, MatrixLayout layout) =>
        CheckFactor<float>(rows, cols, leadingPadding: 0, layout);

    private static (T[] Lu, int[] Perm, double[,] Original) CheckFactor<T>(int rows, int cols, int leadingPadding, MatrixLayout layout)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int ld = (layout == MatrixLayout.ColumnMajor ? rows : cols) + leadingPadding;
        var a = Random<T>(rows, cols, ld, layout, seed: (rows * 1000) + cols);
        var original = ToDense(a, rows, cols, ld, layout);
        int[] perm = new int[rows];

        DenseLu.Factor<T>(a, rows, cols, ld, layout, perm).ShouldBe(0);

        ShouldBePermutation(perm, rows);
        var (l, u) = ExpandFactors(a, rows, cols, ld, layout);
        MaxAbs(l).ShouldBeLessThanOrEqualTo(1.0, "partial pivoting bounds every multiplier by 1");
        double residual = MaxPermutedResidual(original, perm, Multiply(l, u));
        double scale = MaxAbs(original) * Math.Max(rows, cols) * Epsilon<T>();
        (residual / scale).ShouldBeLessThan(1.0);
        return (a, perm, original);
    }

    private static void CheckSquare<T>(int n, MatrixLayout layout)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (lu, perm, original) = CheckFactor<T>(n, n, leadingPadding: 0, layout);
        const int nrhs = 3;
        var random = new Random(n);
        double[] rhs = Enumerable.Range(0, n * nrhs).Select(_ => (2 * random.NextDouble()) - 1).ToArray();

        foreach (bool transpose in new[] { false, true })
        {
            T[] single = rhs.Take(n).Select(T.CreateChecked).ToArray();
            T[] block = rhs.Select(T.CreateChecked).ToArray();
            if (transpose)
            {
                DenseLu.SolveTranspose<T>(lu, n, layout, perm, single);
                DenseLu.SolveTranspose<T>(lu, n, n, layout, perm, block, nrhs);
            }
            else
            {
                DenseLu.Solve<T>(lu, n, layout, perm, single);
                DenseLu.Solve<T>(lu, n, n, layout, perm, block, nrhs);
            }

            BackwardError(original, single, rhs.AsSpan(0, n), transpose).ShouldBeLessThan(1.0);
            for (int r = 0; r < nrhs; r++)
                BackwardError(original, block.AsSpan(r * n, n).ToArray(), rhs.AsSpan(r * n, n), transpose).ShouldBeLessThan(1.0);
        }
    }

    /// <summary>||b - op(A) x||_inf / (||op(A)||_inf ||x||_inf n eps), which a stable solve keeps O(1).</summary>
    private static double BackwardError<T>(double[,] a, T[] x, ReadOnlySpan<double> b, bool transpose)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double[] xd = x.Select(double.CreateChecked).ToArray();
        double[] ax = Multiply(a, xd, transpose);
        double residual = 0;
        for (int i = 0; i < b.Length; i++)
            residual = Math.Max(residual, Math.Abs(b[i] - ax[i]));
        return residual / (InfinityNorm(a, transpose) * MaxAbs(xd) * b.Length * Epsilon<T>());
    }
}
