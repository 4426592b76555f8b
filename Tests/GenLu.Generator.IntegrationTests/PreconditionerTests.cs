using GenLu.Tests.Support;
using GenLu.Gfmm;
using GenLu.Operators;
using GenLu.Solvers;
using GenLu.Tests.Infrastructure;
using Xunit.Abstractions;

namespace GenLu.IntegrationTests;

/// <summary>
/// A generated class's <c>Preconditioner</c> and the Runtime's <see cref="GfmmSolver"/>, both as
/// <see cref="IPreconditioner"/>, turn the float solve of the 1D Laplacian's exact factors into double solutions
/// with <see cref="Gmres"/> and <see cref="IterativeRefinement"/>. Every residual is recomputed here from the dense
/// matrix; solutions are compared with a dense double LU solve.
/// </summary>
public class PreconditionerTests(ITestOutputHelper output)
{
    private const int N = Laplacian1D.N;
    private static readonly double[] A = TestOperators.Laplacian1d(N).Matrix;

    [Fact]
    public void The_committed_model_is_the_exact_LU_of_the_1D_Laplacian()
    {
        var model = ModelFiles.Load(ModelFiles.Laplacian);
        (model.M, model.P, model.Scale).ShouldBe((8, 16, 1.0));
        var product = DenseReference.Operator(model);
        double worst = 0;
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) worst = Math.Max(worst, Math.Abs(product[i, j] - A[i * N + j]));
        output.WriteLine($"max |s L U − A| = {worst:E2}");
        worst.ShouldBeLessThan(1e-6);
    }

    [Fact]
    public void Gmres_preconditioned_by_the_generated_class_converges_to_1e_12()
    {
        double[] a = A;
        int n = N;
        var b = RightHandSide();
        var x = new double[n];

        var gmres = new Gmres(LinearOperator.FromDense(a, n), Laplacian1D.Preconditioner);
        var result = gmres.Solve(b, x);

        output.WriteLine($"{result.Iterations} iterations, {result.RelativeResidual:E2}");
        result.Converged.ShouldBeTrue();
        result.Iterations.ShouldBeLessThanOrEqualTo(10); // float-exact factors: each step gains about log10(1/(cond · 2⁻²⁴)) ≈ 3 digits
        TrueRelativeResidual(b, x).ShouldBeLessThanOrEqualTo(1e-12);
        TrueRelativeResidual(b, x).ShouldBe(result.RelativeResidual, 1e-15);
        RelativeDifference(x, DenseSolution(b)).ShouldBeLessThan(1e-9); // cond₂(A) ≈ 6.7e3 times the residual
    }

    [Fact]
    public void Gmres_preconditioned_by_the_runtime_solver_converges_to_1e_12()
    {
        var b = RightHandSide();
        var x = new double[N];
        IPreconditioner preconditioner = new GfmmSolver(ModelFiles.Load(ModelFiles.Laplacian));

        var result = new Gmres(LinearOperator.FromDense(A, N), preconditioner, restart: 5).Solve(b, x);

        output.WriteLine($"{result.Iterations} iterations, {result.RelativeResidual:E2}");
        result.Converged.ShouldBeTrue();
        result.Iterations.ShouldBeLessThanOrEqualTo(10);
        TrueRelativeResidual(b, x).ShouldBeLessThanOrEqualTo(1e-12);
        RelativeDifference(x, DenseSolution(b)).ShouldBeLessThan(1e-9);
    }

    public static TheoryData<string> Preconditioners => ["generated", "runtime"];

    [Theory]
    [MemberData(nameof(Preconditioners))]
    public void Iterative_refinement_converges_to_1e_12_with_either_preconditioner(string which)
    {
        var b = RightHandSide();
        var x = new double[N];
        var preconditioner = Preconditioner(which);
        // A matrix-free operator: the interfaces take any ILinearOperator, not only dense matrices.
        var laplacian = LinearOperator.FromDelegate(N, static (v, y) =>
        {
            for (int i = 0; i < N; i++) y[i] = 2 * v[i] - (i > 0 ? v[i - 1] : 0) - (i + 1 < N ? v[i + 1] : 0);
        });

        var result = new IterativeRefinement(laplacian, preconditioner).Solve(b, x, new IterativeSolveOptions { MaxIterations = 20 });

        output.WriteLine($"{which}: {result.Iterations} iterations, history {string.Join(", ", result.ResidualHistory.Select(r => r.ToString("E1")))}");
        result.Converged.ShouldBeTrue();
        result.ResidualHistory[1].ShouldBeGreaterThan(1e-9); // one float solve alone is far from 1e-12
        TrueRelativeResidual(b, x).ShouldBeLessThanOrEqualTo(1e-12);
        RelativeDifference(x, DenseSolution(b)).ShouldBeLessThan(1e-9);
    }

    [Theory]
    [MemberData(nameof(Preconditioners))]
    public void Apply_is_the_float_solve_scaled_so_that_tiny_and_huge_residuals_keep_their_digits(string which)
    {
        var preconditioner = Preconditioner(which);
        preconditioner.Order.ShouldBe(N);
        var r = RightHandSide();
        var expected = DenseSolution(r);
        foreach (double magnitude in new[] { 1.0, 1e-40, 1e40 }) // outside float's range without the scaling
        {
            var scaled = r.Select(v => v * magnitude).ToArray();
            var z = new double[N];
            preconditioner.Apply(scaled, z);
            RelativeDifference(z.Select(v => v / magnitude).ToArray(), expected).ShouldBeLessThan(1e-3, $"|r| ~ {magnitude}");
        }

        var zero = new double[N];
        var result = Enumerable.Repeat(7.0, N).ToArray();
        preconditioner.Apply(zero, result);
        result.ShouldAllBe(v => v == 0);
        r[3] = double.NaN;
        preconditioner.Apply(r, result);
        result.ShouldAllBe(v => double.IsNaN(v));
        Should.Throw<ArgumentException>(() => preconditioner.Apply(new double[N - 1], new double[N])).ParamName.ShouldBe("r");
        Should.Throw<ArgumentException>(() => preconditioner.Apply(new double[N], new double[N + 1])).ParamName.ShouldBe("z");
        var both = new double[N];
        Should.Throw<ArgumentException>(() => preconditioner.Apply(both, both)).ParamName.ShouldBe("z");
    }

    [Theory]
    [MemberData(nameof(Preconditioners))]
    public void Apply_allocates_nothing_after_the_first_call_and_is_thread_safe(string which)
    {
        var preconditioner = Preconditioner(which);
        var r = RightHandSide();
        var serial = new double[N];
        preconditioner.Apply(r, serial);
        var again = new double[N];
        AllocationProbe.LeastBytesPerRun(() => preconditioner.Apply(r, again)).ShouldBe(0);
        again.ShouldBe(serial);

        // Concurrent applications on different inputs give exactly the serial results (the solve is deterministic).
        var inputs = Enumerable.Range(0, 64).Select(k => r.Select((v, i) => v * (1 + k) + i % (k + 2)).ToArray()).ToArray();
        var expected = inputs.Select(input => { var z = new double[N]; preconditioner.Apply(input, z); return z; }).ToArray();
        var concurrent = Enumerable.Range(0, 4 * inputs.Length).Select(_ => new double[N]).ToArray();
        Parallel.For(0, concurrent.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, k => preconditioner.Apply(inputs[k % inputs.Length], concurrent[k]));
        for (int k = 0; k < concurrent.Length; k++) concurrent[k].ShouldBe(expected[k % inputs.Length]);
    }

    [Fact]
    public void The_generated_and_the_runtime_preconditioner_agree()
    {
        var r = RightHandSide();
        var generated = new double[N];
        var runtime = new double[N];
        Laplacian1D.Preconditioner.Apply(r, generated);
        Preconditioner("runtime").Apply(r, runtime);
        // Same float factors, different order of float additions: they agree to cond(A) · 2⁻²⁴.
        RelativeDifference(generated, runtime).ShouldBeLessThan(1e-3);
        Laplacian1D.Preconditioner.ShouldBeSameAs(Laplacian1D.Preconditioner);
    }

    private static readonly Lazy<GfmmSolver> RuntimeSolver = new(() => new GfmmSolver(ModelFiles.Load(ModelFiles.Laplacian)));

    private static IPreconditioner Preconditioner(string which) => which == "generated" ? Laplacian1D.Preconditioner : RuntimeSolver.Value;

    private static double[] RightHandSide()
    {
        var random = new Random(11);
        return Enumerable.Range(0, N).Select(_ => random.NextDouble() * 2 - 1).ToArray();
    }

    private static double[] DenseSolution(double[] b)
    {
        var matrix = new double[N, N];
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) matrix[i, j] = A[i * N + j];
        return DenseReference.Solve(matrix, b);
    }

    private static double TrueRelativeResidual(double[] b, double[] x)
    {
        double residual = 0, norm = 0;
        for (int i = 0; i < N; i++)
        {
            double ax = 0;
            for (int j = 0; j < N; j++) ax += A[i * N + j] * x[j];
            residual += (b[i] - ax) * (b[i] - ax);
            norm += b[i] * b[i];
        }
        return Math.Sqrt(residual / norm);
    }

    private static double RelativeDifference(double[] actual, double[] expected)
    {
        double difference = 0, norm = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            difference += (actual[i] - expected[i]) * (actual[i] - expected[i]);
            norm += expected[i] * expected[i];
        }
        return Math.Sqrt(difference / norm);
    }
}
