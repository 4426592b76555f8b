using GenLu.Dense;
using GenLu.Exact;
using GenLu.Gfmm;
using GenLu.Kernels;
using GenLu.Operators;
using GenLu.Solvers;
using GenLu.Sparse;
using GenLu.Tests.Support;

namespace GenLu.Tests.Solvers;

/// <summary>
/// Residuals accumulated as if in twice double precision let refinement converge to the solution of A x = b far past
/// the κ·u limit of a plain double solve. The reference here is independent of the code under test: residuals in exact
/// integer arithmetic (every double is an integer times a power of two) and a dense double LU refined with them.
/// </summary>
public class AccurateResidualTests
{
    [Fact]
    public void A_compensated_sum_keeps_what_plain_double_loses()
    {
        var sum = new CompensatedSum(1e16);
        sum.Add(1);
        sum.Add(-1e16);
        sum.Value.ShouldBe(1);
        // (1 + 2^-30)² − 1 − 2^-29 = 2^-60 exactly; plain double rounds the square and gives 0.
        double a = 1 + Math.Pow(2, -30);
        var dot = new CompensatedSum(-1 - Math.Pow(2, -29));
        dot.AddProduct(a, a);
        dot.Value.ShouldBe(Math.Pow(2, -60));
        (a * a - 1 - Math.Pow(2, -29)).ShouldBe(0);
    }

    [Fact]
    public void Dense_and_sparse_residuals_agree_with_a_decimal_residual_to_the_last_bit()
    {
        const int n = 40;
        var random = new Random(3);
        var matrix = new double[n * n];
        var builder = new CsrBuilder(n, n);
        for (int i = 0; i < n; i++)
            for (int j = Math.Max(0, i - 3); j <= Math.Min(n - 1, i + 3); j++)
            {
                matrix[i * n + j] = random.NextDouble() * 2 - 1;
                builder.Add(i, j, matrix[i * n + j]);
            }
        var x = Enumerable.Range(0, n).Select(_ => random.NextDouble()).ToArray();
        // b nearly A x: the residual is the small difference that plain double arithmetic gets wrong.
        var b = Enumerable.Range(0, n).Select(i => ExactArithmetic.Residual(0, matrix, n, i, x) * -(1 + 1e-13)).ToArray();
        var expected = Enumerable.Range(0, n).Select(i => ExactArithmetic.Residual(b[i], matrix, n, i, x)).ToArray();

        foreach (var op in new IAccurateResidual[] { (IAccurateResidual)LinearOperator.FromDense(matrix, n), builder.Build() })
        {
            var r = new double[n];
            op.Residual(b, x, r);
            // As if in twice double precision: the error is about u² relative to |b| + |A||x|, far below u·|r|.
            for (int i = 0; i < n; i++) r[i].ShouldBe(expected[i], Math.Abs(expected[i]) * 1e-15 + 1e-30, $"{op.GetType().Name}, row {i}");
        }
    }

    [Fact]
    public void Gmres_preconditioned_by_the_model_reaches_the_solution_of_an_ill_conditioned_kernel_system()
    {
        const int n = 64;
        var op = TestOperators.Create("rbf", n, new Dictionary<string, double> { ["nugget"] = 1e-7 });
        var a = op.Matrix.Select(v => v * op.Scale).ToArray();
        var dense = new LuFactorization<double>(a, n, MatrixLayout.RowMajor);
        DenseMath.ConditionNumber1(a, n).ShouldBeGreaterThan(1e8);

        var model = ExactFactorization.Build(op.Matrix, n, 4, 16, scale: op.Scale).Model;
        var b = Enumerable.Range(0, n).Select(i => Math.Sin(0.37 * i) + 0.5).ToArray(); // not A x for any nice x
        var reference = ExactArithmetic.RefinedSolve(a, n, b);

        var x = new double[n];
        var result = new Gmres(LinearOperator.FromDense(a, n), new GfmmSolver(model)).Solve(b, x, new IterativeSolveOptions { Tolerance = 1e-14, MaxIterations = 400 });
        double difference = DenseMath.RelativeError(reference, x);
        difference.ShouldBeLessThan(1e-10, $"GMRES: {result.Iterations} iterations, final residual {result.RelativeResidual:e2}");

        // The plain dense double solve is only accurate to about κ·u: the refinement is what makes 1e-10 reachable.
        var plain = new double[n];
        dense.Solve(b, plain);
        DenseMath.RelativeError(reference, plain).ShouldBeGreaterThan(difference);
    }

    [Fact]
    public void Refining_to_working_precision_goes_on_after_the_residual_test_is_met()
    {
        const int n = 64;
        var op = TestOperators.Create("rbf", n, new Dictionary<string, double> { ["nugget"] = 1e-7 });
        var a = op.Matrix.Select(v => v * op.Scale).ToArray();
        var model = ExactFactorization.Build(op.Matrix, n, 4, 16, scale: op.Scale).Model;
        var random = new Random(5);
        var truth = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        var b = new double[n];
        LinearOperator.FromDense(a, n).Apply(truth, b); // b = A x: a residual of u·‖b‖ is reachable at once
        var reference = ExactArithmetic.RefinedSolve(a, n, b);

        var gmres = new Gmres(LinearOperator.FromDense(a, n), new GfmmSolver(model));
        var stopped = new double[n];
        var first = gmres.Solve(b, stopped, new IterativeSolveOptions { Tolerance = 1e-15, MaxIterations = 200 });
        var refined = new double[n];
        var second = gmres.Solve(b, refined, new IterativeSolveOptions { Tolerance = 1e-15, MaxIterations = 200, RefineToWorkingPrecision = true });

        first.Converged.ShouldBeTrue();
        second.Converged.ShouldBeTrue();
        second.Iterations.ShouldBeGreaterThan(first.Iterations);
        // A residual near u·‖b‖ leaves up to κ·u in x; the extra cycles remove it.
        DenseMath.RelativeError(reference, refined).ShouldBeLessThan(1e-13);
        DenseMath.RelativeError(reference, refined).ShouldBeLessThan(DenseMath.RelativeError(reference, stopped));
    }
}
