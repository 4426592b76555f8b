using GenLu;
using static GenLu.Tests.Dense.DenseReference;
using static GenLu.Tests.Support.DenseMath;
using GenLu.Dense;

namespace GenLu.Tests.Dense;

public class DenseLuSingularAndArgumentTests
{
    /// <summary>A zero column j stays zero under row operations, so pivot j + 1 is the first exact zero.</summary>
    [Theory]
    [InlineData(5, 2, MatrixLayout.ColumnMajor)]
    [InlineData(130, 70, MatrixLayout.ColumnMajor)]
    [InlineData(130, 70, MatrixLayout.RowMajor)]
    public void ZeroColumnReportsInfoAndSolveThrows(int n, int zeroColumn, MatrixLayout layout)
    {
        var a = Random<double>(n, n, n, layout, seed: n);
        for (int i = 0; i < n; i++)
            a[Index(i, zeroColumn, n, layout)] = 0;
        var original = ToDense(a, n, n, n, layout);
        int[] perm = new int[n];

        int info = DenseLu.Factor<double>(a, n, layout, perm);

        info.ShouldBe(zeroColumn + 1);
        // Like LAPACK the factorization still completes: P A = L U holds.
        var (l, u) = ExpandFactors(a, n, n, n, layout);
        (MaxPermutedResidual(original, perm, Multiply(l, u)) / (MaxAbs(original) * n * Epsilon<double>())).ShouldBeLessThan(1.0);
        var error = Should.Throw<SingularPivotException>(() => DenseLu.Solve<double>(a, n, layout, perm, new double[n]));
        error.PivotIndex.ShouldBe(zeroColumn + 1);
        error.Message.ShouldContain($"pivot {zeroColumn + 1}");
        Should.Throw<SingularPivotException>(() => DenseLu.SolveTranspose<double>(a, n, layout, perm, new double[n]));
        Should.Throw<SingularPivotException>(() => DenseLu.SolveUpper<double>(a, n, n, layout, new double[n], 1));
        DenseLu.LogDeterminant<double>(a, n, n, layout, perm).ShouldBe((0, double.NegativeInfinity));
        DenseLu.Determinant<double>(a, n, n, layout, perm).ShouldBe(0);
    }

    [Fact]
    public void LuFactorizationReportsSingularity()
    {
        double[] a = [1, 2, 2, 4];
        var factorization = new LuFactorization<double>(a, 2, MatrixLayout.RowMajor);

        factorization.IsSingular.ShouldBeTrue();
        factorization.Info.ShouldBe(2);
        Should.Throw<SingularPivotException>(() => factorization.Solve([1.0, 1.0], new double[2]));
    }

    [Fact]
    public void EverySingularErrorIsASingularMatrixException()
    {
        // One catch clause handles the dense pivot, the GFMM diagonal block and the Schur complement block.
        SingularMatrixException[] errors =
        [
            new SingularPivotException(3),
            new SingularBlockException("L", 2, "bridges.0.diag_blocks.2", 0),
            new SingularSchurBlockException(1, 4, 2, 0, 1e-12),
        ];
        errors.ShouldAllBe(error => error is ArithmeticException);
        errors.Select(error => error.GetType()).Distinct().Count().ShouldBe(3);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void NonFiniteEntryInTheSubMatrixIsRejected(double bad)
    {
        var a = Random<double>(40, 40, 40, MatrixLayout.ColumnMajor, seed: 3);
        a[Index(31, 17, 40, MatrixLayout.ColumnMajor)] = bad;

        var error = Should.Throw<ArgumentException>(() => DenseLu.Factor<double>(a, 40, MatrixLayout.ColumnMajor, new int[40]));

        error.ParamName.ShouldBe("a");
        error.Message.ShouldContain("row 31, column 17");
    }

    [Fact]
    public void NonFiniteEntryOutsideTheSubMatrixIsIgnored()
    {
        var a = Random<float>(20, 20, 20, MatrixLayout.RowMajor, seed: 4, diagonalShift: 5);
        a[Index(19, 3, 20, MatrixLayout.RowMajor)] = float.NaN;

        DenseLu.Factor<float>(a, 10, 10, 20, MatrixLayout.RowMajor, new int[20]).ShouldBe(0);
    }

    public static TheoryData<string, Action> BadFactorArguments() => new()
    {
        { "rows", () => DenseLu.Factor<double>(new double[16], -1, 4, 4, MatrixLayout.ColumnMajor, new int[4]) },
        { "cols", () => DenseLu.Factor<double>(new double[16], 4, -2, 4, MatrixLayout.ColumnMajor, new int[4]) },
        { "leadingDimension", () => DenseLu.Factor<double>(new double[16], 4, 4, 3, MatrixLayout.ColumnMajor, new int[4]) },
        { "leadingDimension", () => DenseLu.Factor<double>(new double[16], 2, 4, 3, MatrixLayout.RowMajor, new int[2]) },
        { "leadingDimension", () => DenseLu.Factor<double>(new double[4], 0, 0, 0, MatrixLayout.RowMajor, new int[0]) },
        { "a", () => DenseLu.Factor<double>(new double[15], 4, 4, 4, MatrixLayout.ColumnMajor, new int[4]) },
        { "a", () => DenseLu.Factor<float>(new float[30], 5, 7, 6, MatrixLayout.ColumnMajor, new int[5]) },
        { "perm", () => DenseLu.Factor<double>(new double[16], 4, 4, 4, MatrixLayout.ColumnMajor, new int[3]) },
        { "perm", () => DenseLu.Factor<double>(new double[16], 4, 4, 4, MatrixLayout.ColumnMajor, new int[5]) },
        { "perm", () => DenseLu.Factor<double>(new double[16], 4, 4, 4, MatrixLayout.RowMajor, new int[5]) },
        { "layout", () => DenseLu.Factor<double>(new double[16], 4, 4, 4, (MatrixLayout)7, new int[4]) },
        { "n", () => DenseLu.Factor<double>(new double[16], -4, MatrixLayout.ColumnMajor, new int[4]) },
    };

    [Theory]
    [MemberData(nameof(BadFactorArguments))]
    public void BadFactorArgumentIsNamed(string parameter, Action factor) =>
        Should.Throw<ArgumentException>(factor).ParamName.ShouldBe(parameter == "n" ? "rows" : parameter);

    private static readonly double[] Identity3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];

    public static TheoryData<string, Action> BadSolveArguments() => new()
    {
        { "lu", () => DenseLu.Solve<double>(Identity3.AsSpan(0, 8), 3, MatrixLayout.ColumnMajor, [0, 1, 2], new double[3]) },
        { "n", () => DenseLu.Solve<double>(Identity3, -1, 3, MatrixLayout.ColumnMajor, [0, 1, 2], new double[3], 1) },
        { "leadingDimension", () => DenseLu.Solve<double>(Identity3, 3, 2, MatrixLayout.RowMajor, [0, 1, 2], new double[3], 1) },
        { "b", () => DenseLu.Solve<double>(Identity3, 3, MatrixLayout.ColumnMajor, [0, 1, 2], new double[4]) },
        { "b", () => DenseLu.Solve<double>(Identity3, 3, 3, MatrixLayout.ColumnMajor, [0, 1, 2], new double[5], 2) },
        { "nrhs", () => DenseLu.Solve<double>(Identity3, 3, 3, MatrixLayout.ColumnMajor, [0, 1, 2], new double[3], -1) },
        { "perm", () => DenseLu.Solve<double>(Identity3, 3, MatrixLayout.ColumnMajor, [0, 1], new double[3]) },
        { "perm", () => DenseLu.Solve<double>(Identity3, 3, MatrixLayout.ColumnMajor, [0, 1, 1], new double[3]) },
        { "perm", () => DenseLu.SolveTranspose<double>(Identity3, 3, MatrixLayout.ColumnMajor, [0, 3, 1], new double[3]) },
        { "perm", () => DenseLu.Determinant<double>(Identity3, 3, 3, MatrixLayout.ColumnMajor, [2, 2, 0]) },
        { "perm", () => DenseLu.LogDeterminant<double>(Identity3, 3, 3, MatrixLayout.ColumnMajor, [-1, 0, 1]) },
        { "b", () => DenseLu.SolveLowerUnit<double>(Identity3, 3, 3, MatrixLayout.RowMajor, new double[2], 1) },
        { "lu", () => DenseLu.SolveUpper<double>(Identity3.AsSpan(0, 7), 3, 3, MatrixLayout.RowMajor, new double[3], 1) },
        { "layout", () => DenseLu.SolveUpper<double>(Identity3, 3, 3, (MatrixLayout)(-1), new double[3], 1) },
        { "matrix", () => _ = new LuFactorization<double>(new double[8], 3, MatrixLayout.RowMajor) },
        { "n", () => _ = new LuFactorization<double>(new double[8], -3, MatrixLayout.RowMajor) },
        { "matrix", () => LuFactorization<double>.TakeOwnership(null!, 3, MatrixLayout.RowMajor) },
        { "b", () => new LuFactorization<double>(Identity3, 3, MatrixLayout.RowMajor).Solve(new double[2], new double[3]) },
        { "x", () => new LuFactorization<double>(Identity3, 3, MatrixLayout.RowMajor).SolveTranspose(new double[3], new double[4]) },
    };

    [Theory]
    [MemberData(nameof(BadSolveArguments))]
    public void BadSolveArgumentIsNamed(string parameter, Action call)
    {
        var error = Should.Throw<ArgumentException>(call);
        error.ParamName.ShouldBe(parameter);
        error.Message.ShouldContain(parameter);
    }

    [Fact]
    public void EmptyMatrixFactorsTriviallyAndKeepsPermutationIdentity()
    {
        int[] perm = [9, 9, 9];
        DenseLu.Factor<double>(new double[12], 0, 4, 3, MatrixLayout.ColumnMajor, perm).ShouldBe(0);
        perm.ShouldBe([0, 1, 2]);
        DenseLu.LogDeterminant<double>([], 0, 1, MatrixLayout.ColumnMajor, []).ShouldBe((1, 0.0));
    }
}
