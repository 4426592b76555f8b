using GenLu.Sparse;

namespace GenLu.Trainer.Tuning.Peers;

/// <summary>A factored double-precision peer solver: <c>x = A⁻¹ b</c> for one right-hand side.</summary>
internal abstract class PeerSolver : IDisposable
{
    public abstract int Order { get; }

    public abstract void Solve(ReadOnlySpan<double> b, Span<double> x);

    public virtual void Dispose() { }
}

/// <summary>A peer a user would pick for an operator, with the call that factors it (null with the reason when it cannot run here).</summary>
internal sealed record PeerChoice(string Name, Func<PeerSolver>? Factor, string? Skipped);

/// <summary>
/// The direct solvers a user would pick instead of GenLu for a given matrix, each only where it applies: LAPACK pttrf
/// (symmetric tridiagonal), gbtrf (banded, narrow enough that its band store stays below a quarter of N²), CHOLMOD
/// (symmetric; it refuses an indefinite matrix when factoring), UMFPACK (any sparse square matrix), and, only when the
/// caller already holds the dense matrix (a sparse one is never densified for a peer), dense getrf and, for a symmetric
/// one, hmat-oss's H-LDLᵀ.
/// </summary>
internal static class DirectPeers
{
    public const string Tridiagonal = "LAPACK pttrf/pttrs";
    public const string Banded = "LAPACK gbtrf/gbtrs";
    public const string Cholmod = "CHOLMOD";
    public const string Umfpack = "UMFPACK";
    public const string Dense = "LAPACK getrf/getrs";
    public const string Hierarchical = "hmat-oss H-LDLᵀ";

    /// <param name="a">The matrix as CSR (from a dense one: its nonzero entries).</param>
    /// <param name="dense">The same matrix dense row-major when the caller has it, else null.</param>
    public static IReadOnlyList<PeerChoice> For(CsrMatrix a, double[]? dense)
    {
        ArgumentNullException.ThrowIfNull(a);
        int n = a.Order;
        bool symmetric = IsSymmetric(a);
        var peers = new List<PeerChoice>();
        string? blas = OpenBlas.IsAvailable ? null : OpenBlas.MissingMessage;
        if (a.LowerBandwidth <= 1 && a.UpperBandwidth <= 1 && symmetric)
            peers.Add(new(Tridiagonal, blas is null ? () => new TridiagonalPeer(a) : null, blas));
        long bandStore = (long)OpenBlas.BandRows(a.LowerBandwidth, a.UpperBandwidth) * n;
        if (bandStore <= (long)n * n / 4)
            peers.Add(new(Banded, blas is null ? () => new BandedPeer(a) : null, blas));
        if (symmetric)
            peers.Add(new(Cholmod, SuiteSparse.IsCholmodAvailable ? () => new CholmodPeer(a) : null, SuiteSparse.IsCholmodAvailable ? null : SuiteSparse.CholmodMissingMessage));
        peers.Add(new(Umfpack, SuiteSparse.IsUmfpackAvailable ? () => new UmfpackPeer(a) : null, SuiteSparse.IsUmfpackAvailable ? null : SuiteSparse.UmfpackMissingMessage));
        if (dense is not null)
            peers.Add(new(Dense, blas is null ? () => new DensePeer(dense, n) : null, blas));
        // A dense symmetric matrix as a kernel on the points 0, 1, …, N − 1: the index geometry GenLu's blocks assume too.
        if (dense is not null && symmetric)
            peers.Add(new(Hierarchical, HmatOss.IsAvailable ? () => new HmatOss.SymmetricFactors(Indices(n), (i, j) => dense[((long)i * n) + j]) : null,
                HmatOss.IsAvailable ? null : HmatOss.MissingMessage));
        return peers;
    }

    /// <summary>The nonzero entries of a dense row-major matrix as CSR (O(N²) time: the matrix is dense already).</summary>
    public static CsrMatrix FromDense(ReadOnlySpan<double> dense, int n)
    {
        if (dense.Length != (long)n * n) throw new ArgumentException($"A {n} x {n} matrix has {(long)n * n} entries, not {dense.Length}.", nameof(dense));
        var builder = new CsrBuilder(n, n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                if (dense[(i * n) + j] != 0) builder.Add(i, j, dense[(i * n) + j]);
        return builder.Build();
    }

    private static double[] Indices(int n) => Enumerable.Range(0, n).Select(i => (double)i).ToArray();

    private static bool IsSymmetric(CsrMatrix a)
    {
        if (a.LowerBandwidth != a.UpperBandwidth) return false;
        for (int i = 0; i < a.Rows; i++)
        {
            var columns = a.RowColumns(i);
            var values = a.RowValues(i);
            for (int k = 0; k < columns.Length; k++)
                if (columns[k] > i && a[columns[k], i] != values[k]) return false;
        }
        return true;
    }

    private sealed class TridiagonalPeer : PeerSolver
    {
        private readonly double[] diagonal;
        private readonly double[] offDiagonal;

        public TridiagonalPeer(CsrMatrix a)
        {
            int n = a.Order;
            diagonal = new double[n];
            offDiagonal = new double[Math.Max(n - 1, 0)];
            for (int i = 0; i < n; i++)
            {
                diagonal[i] = a[i, i];
                if (i + 1 < n) offDiagonal[i] = a[i + 1, i];
            }
            int info = OpenBlas.Pttrf(diagonal, offDiagonal);
            if (info != 0) throw new InvalidOperationException($"pttrf: the matrix is not positive definite (info {info}).");
        }

        public override int Order => diagonal.Length;

        public override void Solve(ReadOnlySpan<double> b, Span<double> x)
        {
            b.CopyTo(x);
            OpenBlas.Pttrs(diagonal, offDiagonal, x, 1);
        }
    }

    private sealed class BandedPeer : PeerSolver
    {
        private readonly double[] band;
        private readonly int[] pivots;
        private readonly int lower, upper;

        public BandedPeer(CsrMatrix a)
        {
            Order = a.Order;
            lower = a.LowerBandwidth;
            upper = a.UpperBandwidth;
            int rows = OpenBlas.BandRows(lower, upper);
            band = new double[(long)rows * Order];
            for (int i = 0; i < Order; i++)
            {
                var columns = a.RowColumns(i);
                var values = a.RowValues(i);
                for (int k = 0; k < columns.Length; k++)
                    band[((long)columns[k] * rows) + lower + upper + i - columns[k]] = values[k];
            }
            pivots = new int[Order];
            int info = OpenBlas.Gbtrf(band, Order, lower, upper, pivots);
            if (info != 0) throw new InvalidOperationException($"gbtrf: the matrix is singular (U({info},{info}) = 0).");
        }

        public override int Order { get; }

        public override void Solve(ReadOnlySpan<double> b, Span<double> x)
        {
            b.CopyTo(x);
            OpenBlas.Gbtrs(band, Order, lower, upper, pivots, x, 1);
        }
    }

    private sealed class CholmodPeer(CsrMatrix a) : PeerSolver
    {
        private readonly SuiteSparse.CholmodCholesky factors = new(a);

        public override int Order => factors.Order;

        public override void Solve(ReadOnlySpan<double> b, Span<double> x) => factors.Solve(b, x);

        public override void Dispose() => factors.Dispose();
    }

    private sealed class UmfpackPeer(CsrMatrix a) : PeerSolver
    {
        private readonly SuiteSparse.UmfpackLu factors = new(a);

        public override int Order => factors.Order;

        public override void Solve(ReadOnlySpan<double> b, Span<double> x) => factors.Solve(b, x);

        public override void Dispose() => factors.Dispose();
    }

    private sealed class DensePeer : PeerSolver
    {
        private readonly double[] lu;
        private readonly int[] pivots;

        public DensePeer(double[] rowMajor, int n)
        {
            Order = n;
            // getrf is column-major: factor Aᵀ (the row-major array as it is) and solve with its transpose.
            lu = rowMajor.ToArray();
            pivots = new int[n];
            int info = OpenBlas.Getrf(lu.AsSpan(), n, pivots);
            if (info != 0) throw new InvalidOperationException($"getrf: the matrix is singular (U({info},{info}) = 0).");
        }

        public override int Order { get; }

        public override void Solve(ReadOnlySpan<double> b, Span<double> x)
        {
            b.CopyTo(x);
            OpenBlas.GetrsTransposed(lu, Order, pivots, x, 1);
        }
    }
}
