using System.Diagnostics;
using GenLu.Exact;
using GenLu.Gfmm;
using GenLu.Operators;
using GenLu.Sparse;

namespace GenLu.Benchmarks.Support;

/// <summary>
/// <c>construction-table</c>: the timed table of docs/benchmarks/construction.md, for sizes BenchmarkDotNet would repeat
/// too often. Each case runs in its own process (<c>construction-case KIND N</c>) so that its peak resident memory
/// (VmHWM, read right after the build) is its own; the parent prints one Markdown row per case. <c>construction-case rbf N TOLERANCE [P]</c> sets the
/// entries construction's tolerance (and the block size, 32 by default). Times are of ExactFactorization.Build alone
/// (the operator is built beforehand where it is a matrix); the error is the sampled-row relative Frobenius error.
/// </summary>
internal static class ConstructionTable
{
    private static readonly (string Kind, int N)[] Cases =
    [
        ("rbf-dense", 4096), ("rbf-dense", 8192),
        ("rbf", 4096), ("rbf", 16384), ("rbf", 65536), ("rbf", 262144), ("rbf", 1048576),
        ("diffusion1d-csr", 65536), ("diffusion1d-csr", 1048576),
    ];

    /// <summary>The construction from products only: HodlrMatrix.FromProducts, then the entries construction on it.</summary>
    private static readonly (string Kind, int N)[] ProductCases =
    [
        ("rbf-products", 4096), ("rbf-products", 16384), ("rbf-products", 65536),
        ("diffusion1d-csr-products", 65536), ("diffusion1d-csr-products", 262144),
    ];

    public static void Run(string[] only)
    {
        var entries = Cases.Where(c => only.Length == 0 || only.Contains(c.Kind)).ToArray();
        if (entries.Length > 0)
        {
            Console.WriteLine("| case | N | M | build (s) | peak RSS (MB) | sampled-row relative error | ranks (L, U) | Runtime solve, 1 RHS (ms, median of 5) |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---|---:|");
        }

        foreach (var (kind, n) in entries)
        {
            string? row = ChildProcessRow.Run("construction-case", kind, n.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Console.WriteLine(row ?? $"| {kind} | {n} | | failed | | | | |");
        }

        var products = ProductCases.Where(c => only.Length == 0 || only.Contains(c.Kind)).ToArray();
        if (products.Length == 0) return;
        if (entries.Length > 0) Console.WriteLine();
        Console.WriteLine("| case | N | M | products | sampling (s) | of which products (s) | build (s) | peak RSS (MB) | HODLR numbers (M) | max rank | product-estimated error | sampled-row relative error |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (kind, n) in products)
        {
            string? row = ChildProcessRow.Run("construction-case", kind, n.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Console.WriteLine(row ?? $"| {kind} | {n} | | failed | | | | | | | | |");
        }
    }

    /// <summary>
    /// One products-only row: the operator is known to the construction only through <c>A x</c> — for the kernel a
    /// compressed stand-in for a simulation code's product (SemiseparableMatrix at 1e-13, built before the clock starts),
    /// for the diffusion matrix its exact CSR product. Sampling is HodlrMatrix.FromProducts; build is
    /// ExactFactorization.Build on the HODLR entries; the errors are against the operator (16 Gaussian vectors) and
    /// against the true entries on 8 sampled rows.
    /// </summary>
    private static void RunProductsCase(string kind, int n, int p)
    {
        int m = Trainer.Training.TrainingOptions.LeavesFor(n, p);
        IMatrixEntries reference;
        Solvers.ILinearOperator product;
        if (kind == "rbf-products")
        {
            reference = TestOperators.RbfKernelEntries(n).Entries;
            product = SemiseparableMatrix.Compress(reference, p, tolerance: 1e-13);
        }
        else
        {
            var csr = VariableDiffusion(n);
            reference = new CsrEntries(csr);
            product = csr;
        }

        var clock = Stopwatch.StartNew();
        var hodlr = HodlrMatrix.FromProducts(product, isSymmetric: true, leafSize: p, maxRank: p);
        double sampling = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var result = ExactFactorization.Build(hodlr, m, p);
        double build = clock.Elapsed.TotalSeconds;
        long peak = ChildProcessRow.PeakResidentMegabytes();
        var byProducts = SampledError.EstimateByProducts(result.Model, product, vectors: 16);
        var byRows = SampledError.Estimate(result.Model, reference, rows: 8, seed: 3);
        Console.WriteLine(
            $"| {kind} | {n:N0} | {m:N0} | {hodlr.Products:N0} | {sampling:0.00} | {hodlr.ProductTime.TotalSeconds:0.00} | {build:0.00} | {peak:N0} | {hodlr.StoredNumbers / 1e6:0.0} | {hodlr.Levels.Max(l => l.MaxRank)} | {byProducts.RelativeFrobenius:0.0e+00} | {byRows.RelativeFrobenius:0.0e+00} |");
    }

    public static void RunCase(string kind, int n, double tolerance = ExactFactorization.DefaultTolerance, int p = 32)
    {
        if (kind.EndsWith("-products", StringComparison.Ordinal))
        {
            RunProductsCase(kind, n, p);
            return;
        }

        int m = Trainer.Training.TrainingOptions.LeavesFor(n, p);
        IMatrixEntries reference;
        Func<ExactResult> build;
        switch (kind)
        {
            case "rbf-dense":
                var dense = TestOperators.RbfKernel(n);
                reference = MatrixEntries.FromDense(dense.Matrix, n, isSymmetric: true);
                build = () => ExactFactorization.Build(dense.Matrix, n, m, p, dense.Scale);
                break;
            case "rbf":
                var lazy = TestOperators.RbfKernelEntries(n);
                reference = lazy.Entries;
                build = () => ExactFactorization.Build(lazy.Entries, m, p, lazy.Scale, tolerance);
                break;
            case "diffusion1d-csr":
                var csr = VariableDiffusion(n);
                reference = new CsrEntries(csr);
                build = () => ExactFactorization.Build(csr, m, p);
                break;
            default:
                throw new ArgumentException($"unknown case '{kind}'");
        }

        var clock = Stopwatch.StartNew();
        var result = build();
        clock.Stop();
        long buildPeak = ChildProcessRow.PeakResidentMegabytes();
        var error = SampledError.Estimate(result.Model, reference, rows: 8, seed: 3);
        var solver = new GfmmSolver(result.Model);
        var b = new float[n];
        var x = new float[n];
        for (int i = 0; i < n; i++) b[i] = (float)Math.Sin(i);
        var workspace = solver.CreateWorkspace();
        double solve = ChildProcessRow.MedianMilliseconds(() => solver.Solve(b, x, workspace));
        string ranks = string.Join(", ", result.Truncation.GroupBy(t => t.Factor).Select(g => g.Max(t => t.MaxRank)));
        Console.WriteLine($"| {kind} | {n:N0} | {m:N0} | {clock.Elapsed.TotalSeconds:0.00} | {buildPeak:N0} | {error.RelativeFrobenius:0.0e+00} | {ranks} | {solve:0.00} |");
    }

    /// <summary>−(a u')' on n interior points of [0, 1] with a(x) = 1 + sin(6x)/2, second-order differences (Dirichlet), divided by its largest entry.</summary>
    private static CsrMatrix VariableDiffusion(int n)
    {
        var builder = new CsrBuilder(n, n, 3 * n);
        double Coefficient(double x) => 1 + (0.5 * Math.Sin(6 * x));
        double h = 1.0 / (n + 1), max = 0;
        for (int i = 0; i < n; i++) max = Math.Max(max, Coefficient((i + 0.5) * h) + Coefficient((i + 1.5) * h));
        for (int i = 0; i < n; i++)
        {
            double left = Coefficient((i + 0.5) * h), right = Coefficient((i + 1.5) * h);
            if (i > 0) builder.Add(i, i - 1, -left / max);
            builder.Add(i, i, (left + right) / max);
            if (i < n - 1) builder.Add(i, i + 1, -right / max);
        }

        return builder.Build();
    }

    /// <summary>A CSR matrix's entries (zero off its pattern), for the sampled error.</summary>
    private sealed class CsrEntries(CsrMatrix a) : IMatrixEntries
    {
        public int Order => a.Rows;

        public bool IsSymmetric => false;

        public void Block(ReadOnlySpan<int> rows, ReadOnlySpan<int> columns, Span<double> destination)
        {
            for (int r = 0; r < rows.Length; r++)
            {
                var line = destination.Slice(r * columns.Length, columns.Length);
                line.Clear();
                var pattern = a.RowColumns(rows[r]);
                var values = a.RowValues(rows[r]);
                for (int c = 0; c < columns.Length; c++)
                {
                    int k = pattern.BinarySearch(columns[c]);
                    if (k >= 0) line[c] = values[k];
                }
            }
        }
    }
}
