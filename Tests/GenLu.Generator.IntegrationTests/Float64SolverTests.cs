using GenLu.Format;
using GenLu.Gfmm;
using GenLu.Operators;
using GenLu.Solvers;
using GenLu.Structure;
using GenLu.Tests.Infrastructure;
using GenLu.Tests.Support;
using Xunit.Abstractions;

namespace GenLu.IntegrationTests;

/// <summary>
/// Double solvers built by a real MSBuild build: <see cref="KernelSolver64"/> from a float64 weight file embedded as a
/// resource of doubles, <see cref="WidenedSolver"/> from a float32 file with <c>Precision = Double</c>. They solve an
/// operator with condition number 1.4e8 to six digits, agree with the Runtime's double solver, allocate nothing per
/// call and serve as double preconditioners directly.
/// </summary>
public class Float64SolverTests(ITestOutputHelper output)
{
    private const int N = KernelSolver64.N;
    private static readonly OperatorMatrix Kernel = TestOperators.RbfKernel(N, lengthScale: 0.05, nugget: 1e-7);

    /// <summary>The kernel matrix itself: the registry's matrix is divided by its largest entry, the model's scale.</summary>
    private static readonly double[] A = Array.ConvertAll(Kernel.Matrix, v => v * Kernel.Scale);

    [Fact]
    public void The_committed_float64_model_is_the_exact_LU_of_the_kernel()
    {
        var model = ModelFiles.Load(ModelFiles.Kernel64);
        (model.Dtype, model.M, model.P, model.N).ShouldBe((GfmmDtype.Float64, 2, 32, 64));
        var dense = model.ToDense();
        double difference = 0, norm = 0;
        for (int i = 0; i < dense.Length; i++)
        {
            difference += (dense[i] - A[i]) * (dense[i] - A[i]);
            norm += A[i] * A[i];
        }
        output.WriteLine($"‖s L U − A‖_F / ‖A‖_F = {Math.Sqrt(difference / norm):E2}");
        Math.Sqrt(difference / norm).ShouldBeLessThan(1e-13);
        KernelSolver64.WeightsSha256.ShouldBe(GfmmFile.Parse<double>(File.ReadAllText(ModelFiles.PathOf(ModelFiles.Kernel64))).Sha256);
        (KernelSolver64.Scale, model.Scale).ShouldBe((Kernel.Scale, Kernel.Scale));
    }

    [Fact]
    public void The_double_solve_keeps_six_digits_of_an_operator_with_condition_1e8()
    {
        var a = new double[N, N];
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) a[i, j] = A[i * N + j];
        double condition = DenseReference.ConditionNumber(a);
        var known = Enumerable.Range(0, N).Select(i => Math.Sin(0.37 * i + 0.2) + 0.5).ToArray();
        var b = DenseReference.Multiply(a, known);
        var x = new double[N];
        KernelSolver64.Solve(b, x);
        double error = DenseReference.RelativeError(x, DenseReference.Solve(a, b));
        output.WriteLine($"cond₁(A) = {condition:E2}: generated double solve against the dense double solve {error:E2}");
        condition.ShouldBeGreaterThan(1e8);
        error.ShouldBeLessThanOrEqualTo(1e-6);
    }

    public static TheoryData<string> Solvers => [nameof(KernelSolver64), nameof(WidenedSolver)];

    [Theory]
    [MemberData(nameof(Solvers))]
    public void Solves_and_products_equal_the_runtimes_double_ones(string name)
    {
        bool kernel = name == nameof(KernelSolver64);
        var model = kernel ? ModelFiles.Load(ModelFiles.Kernel64) : ModelFiles.Load(ModelFiles.WellConditioned).ToFloat64();
        var solver = new GfmmSolver(model);
        var solverWorkspace = solver.CreateWorkspace();
        var modelWorkspace = model.CreateWorkspace();
        // The kernel's solves amplify rounding differences by up to its condition number (1.4e8).
        double solveTolerance = kernel ? 1e-7 : 1e-13;
        var cases = new (string Operation, Action<double[], double[]> Generated, Action<double[], double[]> Runtime, double Tolerance)[]
        {
            ("Solve", kernel ? (b, x) => KernelSolver64.Solve(b, x) : (b, x) => WidenedSolver.Solve(b, x), (b, x) => solver.Solve(b, x, solverWorkspace), solveTolerance),
            ("SolveTranspose", kernel ? (b, x) => KernelSolver64.SolveTranspose(b, x) : (b, x) => WidenedSolver.SolveTranspose(b, x), (b, x) => solver.SolveTranspose(b, x, solverWorkspace), solveTolerance),
            ("Apply", kernel ? (x, y) => KernelSolver64.Apply(x, y) : (x, y) => WidenedSolver.Apply(x, y), (x, y) => model.Apply(x, y, modelWorkspace), 1e-14),
            ("ApplyTranspose", kernel ? (x, y) => KernelSolver64.ApplyTranspose(x, y) : (x, y) => WidenedSolver.ApplyTranspose(x, y), (x, y) => model.ApplyTranspose(x, y, modelWorkspace), 1e-14),
        };
        var random = new Random(5);
        foreach (var (operation, generated, runtime, tolerance) in cases)
        {
            double worst = 0;
            for (int trial = 0; trial < 5; trial++)
            {
                var input = Enumerable.Range(0, model.N).Select(_ => 2 * random.NextDouble() - 1).ToArray();
                var fromGenerated = new double[model.N];
                var fromRuntime = new double[model.N];
                generated(input, fromGenerated);
                runtime(input, fromRuntime);
                worst = Math.Max(worst, DenseReference.RelativeError(fromGenerated, fromRuntime));
            }
            output.WriteLine($"{name} {operation}: largest ‖generated − runtime‖₂ / ‖runtime‖₂ = {worst:E2}");
            worst.ShouldBeLessThan(tolerance, $"{name} {operation}");
        }
    }

    [Fact]
    public void Parallel_double_solves_equal_the_serial_panels_bit_for_bit()
    {
        const int count = 3 * WidenedSolver.PanelWidth + 5;
        var random = new Random(8);
        var b = Enumerable.Range(0, count * WidenedSolver.N).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        var serial = new double[b.Length];
        var parallel = new double[b.Length];
        WidenedSolver.Solve(b, serial, count, new double[WidenedSolver.BatchScratchLength]);
        WidenedSolver.SolveParallel(b, parallel, count);
        parallel.ShouldBe(serial);
    }

    [Fact]
    public void The_generated_double_preconditioner_is_the_solve_itself_and_refines_to_the_dense_solution()
    {
        IPreconditioner preconditioner = KernelSolver64.Preconditioner;
        preconditioner.Order.ShouldBe(N);
        var r = Enumerable.Range(0, N).Select(i => Math.Cos(0.1 * i)).ToArray();
        var z = new double[N];
        preconditioner.Apply(r, z);
        var x = new double[N];
        KernelSolver64.Solve(r, x);
        z.ShouldBe(x);
        Should.Throw<ArgumentException>(() => preconditioner.Apply(r, new double[N + 1])).ParamName.ShouldBe("z");

        var a = new double[N, N];
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) a[i, j] = A[i * N + j];
        var b = DenseReference.Multiply(a, Enumerable.Range(0, N).Select(i => Math.Sin(0.37 * i + 0.2) + 0.5).ToArray());
        var refined = new double[N];
        var result = new Gmres(LinearOperator.FromDense(A, N), preconditioner).Solve(b, refined);
        output.WriteLine($"GMRES with the double preconditioner: {result.Iterations} iterations, relative residual {result.RelativeResidual:E2}");
        result.Converged.ShouldBeTrue();
        result.Iterations.ShouldBeLessThanOrEqualTo(3);
        DenseReference.RelativeError(refined, DenseReference.Solve(a, b)).ShouldBeLessThan(1e-6);
    }

    [Fact]
    public void Double_calls_allocate_nothing_once_warm()
    {
        var b = Enumerable.Range(0, 20 * WidenedSolver.N).Select(i => Math.Sin(i)).ToArray();
        var x = new double[b.Length];
        var scratch = new double[WidenedSolver.BatchScratchLength];
        var kernelB = Enumerable.Range(0, 20 * N).Select(i => Math.Cos(i)).ToArray();
        var kernelX = new double[kernelB.Length];
        var preconditioner = KernelSolver64.Preconditioner;
        AllocationProbe.LeastBytesPerRun(() =>
        {
            for (int i = 0; i < 100; i++)
            {
                WidenedSolver.Solve(b.AsSpan(0, WidenedSolver.N), x.AsSpan(0, WidenedSolver.N), scratch);
                WidenedSolver.Solve(b, x, 20, scratch);
                WidenedSolver.Apply(b.AsSpan(0, WidenedSolver.N), x.AsSpan(0, WidenedSolver.N), scratch);
                WidenedSolver.SolveParallel(b, x, 20);
                KernelSolver64.Solve(kernelB.AsSpan(0, N), kernelX.AsSpan(0, N));
                KernelSolver64.SolveTranspose(kernelB, kernelX, 20);
                KernelSolver64.ApplyTranspose(kernelB.AsSpan(0, N), kernelX.AsSpan(0, N));
                preconditioner.Apply(kernelB.AsSpan(0, N), kernelX.AsSpan(0, N));
            }
        }).ShouldBe(0);
    }
}
