using GenLu;
using static GenLu.Tests.Dense.DenseReference;
using static GenLu.Tests.Support.DenseMath;
using GenLu.Dense;

namespace GenLu.Tests.Dense;

/// <summary>The worked example of the Gaussian elimination tutorial (seed 003): A x = b with x = [1, 1, 2].</summary>
public class DenseLuTutorialTests
{
    private static readonly double[,] A = { { 2, 1, 1 }, { 4, -6, 0 }, { -2, 7, 2 } };
    private static readonly double[] B = [5, -2, 9];
    private static readonly double[] X = [1, 1, 2];

    private static double[] Stored(MatrixLayout layout)
    {
        var stored = new double[9];
        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 3; j++)
                stored[Index(i, j, 3, layout)] = A[i, j];
        }

        return stored;
    }

    [Fact]
    public void TutorialNoPivotFactorsMultiplyToA()
    {
        // The tutorial's factors without pivoting; this also checks the test's own L * U code.
        double[,] l = { { 1, 0, 0 }, { 2, 1, 0 }, { -1, -1, 1 } };
        double[,] u = { { 2, 1, 1 }, { 0, -8, -2 }, { 0, 0, 1 } };

        Multiply(l, u).ShouldBe(A);
        Multiply(A, X).ShouldBe(B);
    }

    [Theory]
    [InlineData(MatrixLayout.ColumnMajor)]
    [InlineData(MatrixLayout.RowMajor)]
    public void PartialPivotingGivesHandComputedFactors(MatrixLayout layout)
    {
        double[] lu = Stored(layout);
        int[] perm = new int[3];

        DenseLu.Factor<double>(lu, 3, layout, perm).ShouldBe(0);

        // By hand: pivot 4 (row 1) in column 0, multipliers 1/2 and -1/2; then a tie |4| = |4| keeps row 1.
        perm.ShouldBe([1, 0, 2]);
        var (l, u) = ExpandFactors(lu, 3, 3, 3, layout);
        l.ShouldBe(new double[,] { { 1, 0, 0 }, { 0.5, 1, 0 }, { -0.5, 1, 1 } });
        u.ShouldBe(new double[,] { { 4, -6, 0 }, { 0, 4, 1 }, { 0, 0, 1 } });
        MaxPermutedResidual(A, perm, Multiply(l, u)).ShouldBe(0);
    }

    [Theory]
    [InlineData(MatrixLayout.ColumnMajor)]
    [InlineData(MatrixLayout.RowMajor)]
    public void SolveGivesTutorialSolution(MatrixLayout layout)
    {
        double[] lu = Stored(layout);
        int[] perm = new int[3];
        DenseLu.Factor<double>(lu, 3, layout, perm);
        double[] x = (double[])B.Clone();

        DenseLu.Solve<double>(lu, 3, layout, perm, x);

        x.ShouldBe(X, tolerance: 1e-15);
    }

    [Theory]
    [InlineData(MatrixLayout.ColumnMajor)]
    [InlineData(MatrixLayout.RowMajor)]
    public void TransposeSolveAndDeterminantMatchTheExample(MatrixLayout layout)
    {
        double[] lu = Stored(layout);
        int[] perm = new int[3];
        DenseLu.Factor<double>(lu, 3, layout, perm);

        // A^T [1, 1, 2] = [2 + 4 - 4, 1 - 6 + 14, 1 + 0 + 4] = [2, 9, 5].
        double[] x = [2, 9, 5];
        DenseLu.SolveTranspose<double>(lu, 3, layout, perm, x);
        x.ShouldBe(X, tolerance: 1e-15);

        // Cofactor expansion: 2 (-12) - 1 (8) + 1 (28 - 12) = -16.
        DenseLu.Determinant<double>(lu, 3, 3, layout, perm).ShouldBe(-16, tolerance: 1e-13);
        var (sign, logAbs) = DenseLu.LogDeterminant<double>(lu, 3, 3, layout, perm);
        sign.ShouldBe(-1);
        logAbs.ShouldBe(Math.Log(16), tolerance: 1e-14);
    }
}
