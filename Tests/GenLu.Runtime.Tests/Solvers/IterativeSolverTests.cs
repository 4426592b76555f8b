using GenLu.Solvers;
using GenLu.Tests.Support;
using GenLu.Gfmm;

namespace GenLu.Tests.Solvers;

public class IterativeSolverTests
{
    private const int M = 8, P = 32, N = M * P;
    private static readonly double[] Laplacian = LaplacianBlockLu.Matrix(N);

    [Fact]
    public void The_test_construction_is_the_exact_block_LU_of_the_Laplacian()
    {
        var product = LaplacianBlockLu.Build(M, P).ToDense();
        for (int k = 0; k < product.Length; k++) product[k].ShouldBe(Laplacian[k], 1e-5);
    }

    [Fact]
    public void Refinement_reaches_1e_12_from_perturbed_factors()
    {
        var (b, x, op, solver) = PerturbedSystem(noise: 1e-2);
        var result = new IterativeRefinement(op, solver).Solve(b, x, new IterativeSolveOptions { Tolerance = 1e-12, MaxIterations = 60 });
        result.Converged.ShouldBeTrue();
        result.Iterations.ShouldBeLessThanOrEqualTo(40);
        result.RelativeResidual.ShouldBeLessThanOrEqualTo(1e-12);
        BackwardError(b, x).ShouldBeLessThanOrEqualTo(1e-12);
        result.ResidualHistory[0].ShouldBe(1.0);
        result.ResidualHistory[^1].ShouldBe(result.RelativeResidual);
        result.ResidualHistory.Count.ShouldBe(result.Iterations + 1);
        // The perturbation is real: one plain structured solve is far from 1e-12.
        result.ResidualHistory[1].ShouldBeGreaterThan(1e-3);
    }

    [Theory]
    [InlineData(50)]
    [InlineData(4)]
    public void Gmres_reaches_1e_12_from_perturbed_factors_with_and_without_restarts(int restart)
    {
        var (b, x, op, solver) = PerturbedSystem(noise: 1e-2);
        var result = new Gmres(op, solver, restart).Solve(b, x, new IterativeSolveOptions { Tolerance = 1e-12, MaxIterations = 100 });
        result.Converged.ShouldBeTrue();
        result.Iterations.ShouldBeLessThanOrEqualTo(restart == 50 ? 30 : 60);
        BackwardError(b, x).ShouldBeLessThanOrEqualTo(1e-12);
        TrueRelativeResidual(b, x).ShouldBe(result.RelativeResidual, 1e-15);
    }

    [Fact]
    public void Gmres_works_with_a_delegate_operator()
    {
        var (b, x, _, solver) = PerturbedSystem(noise: 1e-2);
        // The Laplacian's product without forming the matrix.
        var op = LinearOperator.FromDelegate(N, (v, y) =>
        {
            for (int i = 0; i < N; i++) y[i] = 2 * v[i] - (i > 0 ? v[i - 1] : 0) - (i + 1 < N ? v[i + 1] : 0);
        });
        var result = new Gmres(op, solver).Solve(b, x);
        result.Converged.ShouldBeTrue();
        BackwardError(b, x).ShouldBeLessThanOrEqualTo(1e-12);
    }

    [Fact]
    public void Hitting_the_iteration_cap_is_reported_honestly()
    {
        var (b, x, op, solver) = PerturbedSystem(noise: 1e-2);
        var options = new IterativeSolveOptions { Tolerance = 1e-12, MaxIterations = 3 };
        var refinement = new IterativeRefinement(op, solver).Solve(b, x, options);
        refinement.Converged.ShouldBeFalse();
        refinement.Iterations.ShouldBe(3);
        refinement.RelativeResidual.ShouldBe(TrueRelativeResidual(b, x), 1e-15);

        var gmres = new Gmres(op, solver).Solve(b, x, options);
        gmres.Converged.ShouldBeFalse();
        gmres.Iterations.ShouldBe(3);
        gmres.RelativeResidual.ShouldBe(TrueRelativeResidual(b, x), 1e-15);
    }

    [Fact]
    public void A_zero_right_hand_side_gives_zero_at_once()
    {
        var (_, x, op, solver) = PerturbedSystem(noise: 1e-2);
        x.AsSpan().Fill(5);
        var result = new Gmres(op, solver).Solve(new double[N], x);
        result.Converged.ShouldBeTrue();
        result.Iterations.ShouldBe(0);
        x.ShouldAllBe(v => v == 0);
    }

    [Fact]
    public void Bad_arguments_are_rejected_naming_the_argument()
    {
        var (b, x, op, solver) = PerturbedSystem(noise: 0);
        var refinement = new IterativeRefinement(op, solver);
        Should.Throw<ArgumentException>(() => refinement.Solve(new double[N - 1], x)).ParamName.ShouldBe("b");
        Should.Throw<ArgumentException>(() => refinement.Solve(b, new double[N + 1])).ParamName.ShouldBe("x");
        Should.Throw<ArgumentOutOfRangeException>(() => refinement.Solve(b, x, new IterativeSolveOptions { MaxIterations = 0 })).ParamName.ShouldBe("MaxIterations");
        Should.Throw<ArgumentOutOfRangeException>(() => refinement.Solve(b, x, new IterativeSolveOptions { Tolerance = double.NaN })).ParamName.ShouldBe("Tolerance");
        Should.Throw<ArgumentException>(() => new Gmres(LinearOperator.FromDense(new double[4], 2), solver)).ParamName.ShouldBe("preconditioner");
        Should.Throw<ArgumentOutOfRangeException>(() => new Gmres(op, solver, 0)).ParamName.ShouldBe("restart");
        Should.Throw<ArgumentException>(() => LinearOperator.FromDense(new double[5], 2)).ParamName.ShouldBe("matrix");
        Should.Throw<ArgumentException>(() => op.Apply(new double[N], new double[2])).ParamName.ShouldBe("y");
    }

    [Theory]
    [InlineData("gmres", double.NaN)]
    [InlineData("gmres", double.PositiveInfinity)]
    [InlineData("refinement", double.NegativeInfinity)]
    [InlineData("refinement", double.NaN)]
    public void A_non_finite_entry_in_b_is_refused_by_index_and_x_is_left_untouched(string method, double bad)
    {
        var (b, x, op, solver) = PerturbedSystem(noise: 1e-2);
        b[17] = bad;
        Array.Fill(x, 7.0);
        Func<IterativeSolveResult> solve = method == "gmres"
            ? () => new Gmres(op, solver).Solve(b, x)
            : () => new IterativeRefinement(op, solver).Solve(b, x);
        var error = Should.Throw<ArgumentException>(() => solve());
        error.ParamName.ShouldBe("b");
        error.Message.ShouldContain("b[17]");
        x.ShouldAllBe(v => v == 7.0);
    }

    private static (double[] B, double[] X, LinearOperator Op, GfmmSolver Solver) PerturbedSystem(double noise)
    {
        var solver = new GfmmSolver(LaplacianBlockLu.Build(M, P, noise, seed: 3));
        var b = DenseMath.RandomVector(N, new Random(1));
        return (b, new double[N], LinearOperator.FromDense(Laplacian, N), solver);
    }

    private static double TrueRelativeResidual(double[] b, double[] x) =>
        DenseMath.Norm(Residual(b, x)) / DenseMath.Norm(b);

    // ‖A x − b‖₂ / (‖A‖₂ ‖x‖₂ + ‖b‖₂), with ‖A‖₂ = 2 − 2 cos(π N / (N + 1)) for tridiag(-1, 2, -1).
    private static double BackwardError(double[] b, double[] x)
    {
        double normA = 2 - 2 * Math.Cos(Math.PI * N / (N + 1));
        return DenseMath.Norm(Residual(b, x)) / (normA * DenseMath.Norm(x) + DenseMath.Norm(b));
    }

    private static double[] Residual(double[] b, double[] x)
    {
        var ax = DenseMath.Multiply(DenseMath.FromRowMajor(Laplacian, N), x);
        return ax.Select((v, i) => v - b[i]).ToArray();
    }
}
