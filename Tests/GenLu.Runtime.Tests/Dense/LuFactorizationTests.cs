using GenLu.Tests.Support;
using GenLu;
using static GenLu.Tests.Dense.DenseReference;
using static GenLu.Tests.Support.DenseMath;
using GenLu.Dense;

namespace GenLu.Tests.Dense;

public class LuFactorizationTests
{
    [Theory]
    [InlineData(MatrixLayout.ColumnMajor)]
    [InlineData(MatrixLayout.RowMajor)]
    public void CopiesFactorsAndSolvesWithoutTouchingTheInput(MatrixLayout layout)
    {
        const int n = 90;
        var a = Random<double>(n, n, n, layout, seed: 11);
        double[] input = (double[])a.Clone();
        var original = ToDense(a, n, n, n, layout);
        var random = new Random(12);
        double[] xTrue = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
        double[] b = Multiply(original, xTrue);
        double[] bTranspose = Multiply(original, xTrue, transpose: true);

        var factorization = new LuFactorization<double>(a, n, layout);
        var x = new double[n];
        factorization.Solve(b, x);
        var xt = new double[n];
        factorization.SolveTranspose(bTranspose, xt);
        double[] block = [.. b, .. bTranspose];
        factorization.SolveInPlace(block, 2);

        a.ShouldBe(input);
        factorization.Info.ShouldBe(0);
        factorization.IsSingular.ShouldBeFalse();
        ShouldBePermutation(factorization.Perm, n);
        x.ShouldBe(xTrue, tolerance: 1e-11);
        xt.ShouldBe(xTrue, tolerance: 1e-11);
        block.AsSpan(0, n).ToArray().ShouldBe(xTrue, tolerance: 1e-11);
        // Column 2 solved with A (not A^T), so it reproduces A^-1 A^T x, checked through A x2 = A^T xTrue.
        Multiply(original, block.AsSpan(n, n).ToArray()).ShouldBe(bTranspose, tolerance: 1e-10);
    }

    [Fact]
    public void TakeOwnershipFactorsTheGivenArrayInPlace()
    {
        // Tutorial matrix in row-major order; its compact factors were derived by hand in DenseLuTutorialTests.
        double[] a = [2, 1, 1, 4, -6, 0, -2, 7, 2];
        var factorization = LuFactorization<float>.TakeOwnership([2f, 1f, 1f, 4f, -6f, 0f, -2f, 7f, 2f], 3, MatrixLayout.RowMajor);
        var owned = LuFactorization<double>.TakeOwnership(a, 3, MatrixLayout.RowMajor);

        a.ShouldBe([4, -6, 0, 0.5, 4, 1, -0.5, 1, 1]);
        owned.Factors.ToArray().ShouldBe(a);
        owned.Perm.ToArray().ShouldBe([1, 0, 2]);
        var x = new float[3];
        factorization.Solve([5f, -2f, 9f], x);
        x.ShouldBe([1f, 1f, 2f], tolerance: 1e-6f);
        factorization.Determinant().ShouldBe(-16f, tolerance: 1e-5f);
    }

    [Fact]
    public void SolveInPlaceWithTheSameSpan()
    {
        var factorization = new LuFactorization<double>([2, 1, 1, 4, -6, 0, -2, 7, 2], 3, MatrixLayout.RowMajor);
        double[] b = [5, -2, 9];

        factorization.Solve(b, b);

        b.ShouldBe([1, 1, 2], tolerance: 1e-15);
    }

    /// <summary>Solves use stack scratch (small n) or the shared pool (large n), never a fresh array.</summary>
    [Theory]
    [InlineData(300)]
    [InlineData(1100)]
    public void SolveDoesNotAllocate(int n)
    {
        var factorization = new LuFactorization<double>(Random<double>(n, n, n, MatrixLayout.ColumnMajor, seed: n, diagonalShift: 4), n, MatrixLayout.ColumnMajor);
        double[] b = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        var x = new double[n];

        AllocationProbe.LeastBytesPerRun(() =>
        {
            factorization.Solve(b, x);
            factorization.SolveTranspose(b, x);
        }).ShouldBe(0);
    }
}
