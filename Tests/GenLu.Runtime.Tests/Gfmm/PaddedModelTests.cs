using GenLu.Dense;
using GenLu.Exact;
using GenLu.Gfmm;
using GenLu.Operators;
using GenLu.Tests.Support;

namespace GenLu.Tests.Gfmm;

/// <summary>
/// A model of order N below M · P factors <c>A/s ⊕ I</c>; the user sees only order N. Built here from the exact
/// factorization of the padded matrix, and checked against dense double computations on A itself.
/// </summary>
public class PaddedModelTests
{
    private const int M = 8, P = 8;

    /// <summary>Exact factors of <c>A/s ⊕ I</c> for an operator of order n &lt; M·P (the construction pads), recorded with order n.</summary>
    private static (GfmmModel Model, double[] A) PaddedExactModel(OperatorMatrix op) => PaddedExactModel(op, out _);

    /// <param name="truncation">The largest singular value the far-field compression discarded (relative to max |A_ij|).</param>
    private static (GfmmModel Model, double[] A) PaddedExactModel(OperatorMatrix op, out double truncation)
    {
        int n = op.N;
        var result = ExactFactorization.Build(op.Matrix, n, M, P, scale: op.Scale);
        var built = result.Model;
        truncation = result.Truncation.Select(level => level.LargestDiscarded).DefaultIfEmpty(0).Max();
        var a = op.Matrix.Select(v => v * op.Scale).ToArray();
        built.N.ShouldBe(n);
        return (built, a);
    }

    public static TheoryData<string, int> Operators() => new()
    {
        { "rbf", 37 },
        { "rbf", 57 },
        { "laplacian1d", 50 },
        { "convdiff1d", 61 },
    };

    [Theory]
    [MemberData(nameof(Operators))]
    public void Solutions_products_and_dense_form_equal_the_unpadded_operators(string name, int n)
    {
        var (model, a) = PaddedExactModel(TestOperators.Create(name, n), out double truncation);
        // Rank ≤ P far fields cut the RBF kernel at about `truncation`; the banded operators are exact to float rounding.
        double representation = 1e-5 + 10 * truncation;
        model.N.ShouldBe(n);
        model.PaddedN.ShouldBe(M * P);
        var solver = new GfmmSolver(model);
        solver.N.ShouldBe(n);

        // Float32 solves: about 1e-7 times the condition number, with room.
        double tolerance = Math.Max(1e-5, 1e-6 * DenseMath.ConditionNumber1(a, n));
        var b = Enumerable.Range(0, n).Select(i => (float)Math.Cos(0.3 * i + 0.1)).ToArray();
        var x = new float[n];
        solver.Solve(b, x);
        var exact = new LuFactorization<double>(a, n, MatrixLayout.RowMajor);
        var reference = new double[n];
        exact.Solve(b.Select(v => (double)v).ToArray(), reference);
        DenseMath.RelativeError(reference, x).ShouldBeLessThan(tolerance, "solve");

        // In place and batched (the padded panel path) give the same solutions.
        var batch = b.Concat(b.Select(v => -2 * v)).ToArray();
        solver.Solve(batch, batch, 2, solver.CreateWorkspace(2));
        DenseMath.RelativeError(reference, batch.AsSpan(0, n)).ShouldBeLessThan(tolerance, "batched");
        DenseMath.RelativeError(reference.Select(v => -2 * v).ToArray(), batch.AsSpan(n, n)).ShouldBeLessThan(tolerance, "batched, second");

        var y = new float[n];
        model.Apply(b, y);
        var product = Enumerable.Range(0, n).Select(i => Enumerable.Range(0, n).Sum(j => a[i * n + j] * b[j])).ToArray();
        DenseMath.RelativeError(product, y).ShouldBeLessThan(representation, "apply");

        var dense = model.ToDense();
        dense.Length.ShouldBe(n * n);
        double worst = dense.Zip(a, (u, v) => Math.Abs(u - v)).Max() / a.Max(Math.Abs);
        worst.ShouldBeLessThan(representation, "ToDense is the N x N approximation of A");
    }

    [Theory]
    [MemberData(nameof(Operators))]
    public void The_log_determinant_is_that_of_the_unpadded_operator(string name, int n)
    {
        var (model, a) = PaddedExactModel(TestOperators.Create(name, n));
        var (sign, logAbs) = new LuFactorization<double>(a, n, MatrixLayout.RowMajor).LogDeterminant();
        var determinant = new GfmmSolver(model).LogDeterminant;
        determinant.Sign.ShouldBe(sign);
        // Float factors: each of the N pivots carries a relative error of about 1e-7.
        determinant.LogAbsoluteValue.ShouldBe(logAbs, 1e-5 * n + 1e-6 * Math.Abs(logAbs));
    }

    [Fact]
    public void A_padded_model_round_trips_through_its_file_with_its_order()
    {
        var (model, _) = PaddedExactModel(TestOperators.Create("rbf", 45));
        var loaded = GfmmModel.Parse(System.Text.Encoding.UTF8.GetString(model.ToUtf8Json()));
        loaded.N.ShouldBe(45);
        loaded.L.ToArray().ShouldBe(model.L.ToArray());
        loaded.U.ToArray().ShouldBe(model.U.ToArray());
    }

    [Fact]
    public void Spans_of_the_padded_length_are_refused()
    {
        var (model, _) = PaddedExactModel(TestOperators.Create("laplacian1d", 40));
        var solver = new GfmmSolver(model);
        Should.Throw<ArgumentException>(() => solver.Solve(new float[M * P], new float[M * P]));
        Should.Throw<ArgumentException>(() => model.Apply(new float[M * P], new float[M * P]));
        Should.Throw<ArgumentOutOfRangeException>(() => new GfmmModel(model.L, model.U, 1, n: M * P + 1));
        Should.Throw<ArgumentOutOfRangeException>(() => new GfmmModel(model.L, model.U, 1, n: 0));
    }
}
