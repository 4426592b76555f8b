using System.Diagnostics;
using System.Globalization;
using GenLu.Exact;
using GenLu.Gfmm;
using GenLu.Operators;
using GenLu.Solvers;
using GenLu.Structure;
using GenLu.Trainer.Tuning.Peers;

namespace GenLu.Benchmarks.Support;

/// <summary>
/// <c>kernel-peer-table</c>: GenLu's construction from entries and solve beside hmat-oss's H-LDLᵀ on the RBF and Matérn 3/2
/// kernels at N = 4,096 … 65,536 (docs/benchmarks/peers.md), each case in its own process
/// (<c>kernel-peer-case KERNEL N SOLVER</c>). The matrices are never formed: both solvers read the kernel's entries;
/// b = A x_true and the residuals are exact products, computed from the entries block by block (N² kernel evaluations,
/// both cores). GenLu's GMRES refines against its compressed kernel (<see cref="SemiseparableMatrix"/> at 1e-12), as
/// <c>genlu solve --refine gmres</c> does at these sizes; the residual of its answer is then measured exactly.
/// </summary>
internal static class KernelPeerTable
{
    public const string GenLu32 = "genlu-float32", GenLu64 = "genlu-float64", Hmat = "hmat-oss", HmatTight = "hmat-oss-1e-12";

    private static readonly string[] Kernels = ["rbf", "matern32"];
    private static readonly int[] Sizes = [4096, 16384, 65536];
    private static readonly string[] Solvers = [GenLu32, GenLu64, Hmat, HmatTight];

    private const int P = 32;
    private const double AnswerAccuracy = 1e-10;
    private const int MaxGmresIterations = 60;

    public static void Run(string[] only)
    {
        if (!HmatOss.IsAvailable) Console.WriteLine(HmatOss.MissingMessage);
        Console.WriteLine($"| kernel | N | solver | build (s) | peak RSS (MB) | solve, 1 RHS (ms) | relative residual | relative error | GMRES to {AnswerAccuracy:0e+0} (vs compressed A): iterations, time, exact relative residual |");
        Console.WriteLine("|---|---:|---|---:|---:|---:|---:|---:|---:|");
        foreach (string kernel in Kernels.Where(k => only.Length == 0 || only.Contains(k)))
            foreach (int n in Sizes)
                foreach (string solver in Solvers)
                {
                    if (solver is Hmat or HmatTight && !HmatOss.IsAvailable) continue;
                    string? row = ChildProcessRow.Run("kernel-peer-case", kernel, n.ToString(CultureInfo.InvariantCulture), solver);
                    Console.WriteLine(row ?? $"| {kernel} | {n:N0} | {solver} | failed | | | | | |");
                }
    }

    public static void RunCase(string kernel, int n, string solverName)
    {
        // A small build first, untimed: the timed one then runs compiled code (JIT, library loading) on both sides.
        Build(Kernel(kernel, 512), solverName);
        var entries = Kernel(kernel, n);
        var clock = Stopwatch.StartNew();
        var (solve, answer) = Build(entries, solverName);
        double buildSeconds = clock.Elapsed.TotalSeconds;
        long peak = ChildProcessRow.PeakResidentMegabytes();

        var random = new Random(42);
        var trueX = Enumerable.Range(0, n).Select(_ => (2 * random.NextDouble()) - 1).ToArray();
        var b = ExactProduct(entries, trueX);
        double[] x = solve(b);
        double solveMilliseconds = ChildProcessRow.MedianMilliseconds(() => solve(b));
        double error = Distance(x, trueX) / Length(trueX);
        string gmres = "direct";
        if (answer is not null)
        {
            var compressed = SemiseparableMatrix.Compress(entries, P, tolerance: 1e-12);
            gmres = answer(compressed, b) is { } found
                ? $"{found.Iterations}, {found.Milliseconds:0.0} ms, {Distance(b, ExactProduct(entries, found.X)) / Length(b):0.0e+00}"
                : $"not in {MaxGmresIterations}";
        }

        double residual = Distance(b, ExactProduct(entries, x)) / Length(b);
        Console.WriteLine($"| {kernel} | {n:N0} | {solverName} | {buildSeconds:0.000} | {peak:N0} | {solveMilliseconds:0.000} | {residual:0.0e+00} | {error:0.0e+00} | {gmres} |");
    }

    private static IMatrixEntries Kernel(string kernel, int n) => kernel switch
    {
        "rbf" => MatrixEntries.RbfKernel(n),
        "matern32" => MatrixEntries.Matern32Kernel(n),
        _ => throw new ArgumentException($"unknown kernel '{kernel}' (rbf, matern32)"),
    };

    /// <summary>The solver's factors of the kernel: its solve, and for GenLu its GMRES answer against a given A.</summary>
    private static (Func<double[], double[]> Solve, Func<ILinearOperator, double[], (int Iterations, double Milliseconds, double[] X)?>? Answer) Build(
        IMatrixEntries entries, string solverName)
    {
        int n = entries.Order;
        switch (solverName)
        {
            case GenLu32 or GenLu64:
                int m = Trainer.Training.TrainingOptions.LeavesFor(n, P);
                var dtype = solverName == GenLu64 ? GfmmDtype.Float64 : GfmmDtype.Float32;
                var model = ExactFactorization.Build(entries, m, P, dtype: dtype).Model;
                var solver = new GfmmSolver(model);
                var workspace = solver.CreateWorkspace();
                return (b => SolveInModelType(solver, workspace, dtype, b), (a, b) => Gmres(a, solver, b));
            case Hmat or HmatTight:
                var points = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
                var factors = new HmatOss.SymmetricFactors(points, (i, j) => Entry(entries, i, j),
                    solverName == HmatTight ? 1e-12 : HmatOss.DefaultCompressionTolerance);
                return (b =>
                {
                    var x = new double[n];
                    factors.Solve(b, x);
                    return x;
                }, null);
            default:
                throw new ArgumentException($"unknown solver '{solverName}' ({string.Join(", ", Solvers)})");
        }
    }

    private static double[] SolveInModelType(GfmmSolver solver, GfmmWorkspace workspace, GfmmDtype dtype, double[] b)
    {
        if (dtype == GfmmDtype.Float64)
        {
            var x = new double[b.Length];
            solver.Solve(b, x, workspace);
            return x;
        }

        var floatX = new float[b.Length];
        solver.Solve(Array.ConvertAll(b, v => (float)v), floatX, workspace);
        return Array.ConvertAll(floatX, v => (double)v);
    }

    /// <summary>GMRES preconditioned by the model against the compressed kernel, timed once (a first run warms it up).</summary>
    private static (int, double, double[])? Gmres(ILinearOperator a, GfmmSolver solver, double[] b)
    {
        var gmres = new Gmres(a, solver);
        var options = new IterativeSolveOptions { Tolerance = AnswerAccuracy, MaxIterations = MaxGmresIterations };
        var x = new double[b.Length];
        if (!gmres.Solve(b, x, options).Converged) return null;
        long started = Stopwatch.GetTimestamp();
        var result = gmres.Solve(b, x, options);
        return (result.Iterations, Stopwatch.GetElapsedTime(started).TotalMilliseconds, x);
    }

    /// <summary>A x from the entries, 256 rows at a time on every core (the rows' entries in column chunks of 4,096).</summary>
    private static double[] ExactProduct(IMatrixEntries a, double[] x)
    {
        int n = a.Order;
        const int rowsPerBlock = 256, columnsPerChunk = 4096;
        var y = new double[n];
        Parallel.For(0, (n + rowsPerBlock - 1) / rowsPerBlock, block =>
        {
            int first = block * rowsPerBlock, rows = Math.Min(rowsPerBlock, n - first);
            var rowIndices = Enumerable.Range(first, rows).ToArray();
            var values = new double[rows * columnsPerChunk];
            for (int c0 = 0; c0 < n; c0 += columnsPerChunk)
            {
                int columns = Math.Min(columnsPerChunk, n - c0);
                a.Block(rowIndices, Enumerable.Range(c0, columns).ToArray(), values);
                for (int r = 0; r < rows; r++)
                {
                    double sum = 0;
                    for (int c = 0; c < columns; c++) sum += values[(r * columns) + c] * x[c0 + c];
                    y[first + r] += sum;
                }
            }
        });
        return y;
    }

    private static double Length(ReadOnlySpan<double> x) => Math.Sqrt(x.ToArray().Sum(v => v * v));

    private static double Entry(IMatrixEntries entries, int i, int j)
    {
        Span<int> row = [i];
        Span<int> column = [j];
        Span<double> value = stackalloc double[1];
        entries.Block(row, column, value);
        return value[0];
    }

    private static double Distance(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++) sum += (x[i] - y[i]) * (x[i] - y[i]);
        return Math.Sqrt(sum);
    }
}
