using System.Diagnostics;
using System.Numerics;
using GenLu.Gfmm;
using GenLu.Kernels;
using GenLu.Sparse;
using GenLu.Structure;

namespace GenLu.Exact;

/// <summary>
/// Builds GFMM factors L and U algebraically from the exact block LU of an operator (dense or sparse) (GitHub issue 7), instead of
/// training them. A = L U exactly with L block-lower and U block-upper; the GFMM structure holds each factor as
/// <list type="bullet">
/// <item>near field (level-0 bridge): the diagonal blocks G_i and the neighbour blocks (i, i-1) of L (and (i, i+1) of U),
/// copied from the factors;</item>
/// <item>far field (blocks with |i - j| &gt;= 2): an H²-style representation with nested orthonormal bases of rank at most P per
/// tree node: decoder edges = row-basis transfers, encoder edges = transposed column-basis transfers, and at level l &gt;= 1
/// the bridge between sibling nodes (2q+1 from 2q in L) = the coupling matrix Qᵣᵀ A_far Q_c. Bridges between non-sibling
/// neighbours at levels &gt;= 1 are zero: every far leaf pair is served by exactly one level, the one where its two leaves'
/// ancestors are siblings.</item>
/// </list>
/// A neighbour pair (i, i-1) with i even is also inside a sibling block of a coarser level; the coarse path contributes
/// to it too, so its level-0 bridge holds the exact block minus that contribution (computed from the float32-rounded
/// weights, so nothing is counted twice and the near field is exact to float32 rounding). The root edge is zero.
/// </summary>
/// <remarks>
/// U is built as the lower-frame structure of Uᵀ and then transposed (encoders and decoders swap roles, spec
/// "Transposed product"). Everything is computed in double; the model stores float32 (or float64 when asked: <c>dtype</c>).
/// <para>
/// Ranks: a node's far-field block row leaves out the one neighbour pair it contains (it belongs to the level-0 bridge and
/// is set to zero there), so a far field of global rank r can need up to 2r per node; ranks are capped at P and what the
/// cap or the tolerance cuts is reported in <see cref="ExactResult.Truncation"/>.
/// </para>
/// <para>
/// Cost: the block LU skips zero blocks and runs in the block band of the matrix (O(N P²) for a matrix of bandwidth at most
/// P, (2/3) N³ when dense); the far field costs a Householder QR of each node's 2P-row block, as wide as the band reaches
/// (O(N² P) per level in the dense case, O(N · band · P) for a band), and a 2P x 2P Jacobi SVD per node.
/// </para>
/// </remarks>
public static partial class ExactFactorization
{
    /// <summary>Default cut: singular values at most 1e-12 · max |A_ij| are dropped even when the rank is below P.</summary>
    public const double DefaultTolerance = 1e-12;

    /// <summary>
    /// Builds L and U for the dense row-major n x n matrix <paramref name="a"/>, the operator as trained (already divided by
    /// <paramref name="scale"/>, which is recorded in the model). With n &lt; M P the blocks factor the padded operator
    /// <c>A ⊕ I</c> (identity on the padded rows and columns) and the model records the order n.
    /// </summary>
    /// <param name="a">The matrix, row-major, n*n finite numbers.</param>
    /// <param name="n">The matrix order, 1 .. M P.</param>
    /// <param name="m">Number of leaf blocks, a power of two &gt;= 2.</param>
    /// <param name="p">Block size.</param>
    /// <param name="scale">The scale s of A ≈ s L U stored in the model.</param>
    /// <param name="tolerance">Singular values at most tolerance · max |A_ij| are discarded (ranks never exceed P).</param>
    /// <param name="progress">Receives an <see cref="ExactProgress"/> after each block of the block LU and each level of each factor.</param>
    /// <param name="cancellationToken">Checked between blocks of the block LU and between levels of the factors.</param>
    /// <exception cref="SingularSchurBlockException">A diagonal block of the running Schur complement is singular.</exception>
    /// <param name="dtype">The model's number type: float32 rounds every weight to float, float64 keeps the double factors.</param>
    /// <exception cref="OperationCanceledException">Cancellation was requested; nothing is returned.</exception>
    public static ExactResult Build(
        ReadOnlySpan<double> a,
        int n,
        int m,
        int p,
        double scale = 1,
        double tolerance = DefaultTolerance,
        IProgress<ExactProgress>? progress = null,
        CancellationToken cancellationToken = default,
        GfmmDtype dtype = GfmmDtype.Float32)
    {
        var layout = new GfmmLayout(GfmmKind.Lower, m, p);
        CheckOrder(n, layout, nameof(n));
        if (a.Length != (long)n * n)
        {
            throw new ArgumentException($"An n x n matrix with n = {n} has {(long)n * n} numbers; got {a.Length}.", nameof(a));
        }

        CheckSettings(scale, tolerance);
        if (!Level1.AllFinite(a))
        {
            int i = a.IndexOfAnyExceptInRange(double.MinValue, double.MaxValue);
            throw new ArgumentException($"Entry ({i / n}, {i % n}) of the matrix is {a[i]}; it must be finite.", nameof(a));
        }

        var work = BlockBandMatrix.Create(m, p, m - 1, m - 1);
        for (int i = 0; i < n; i++)
        {
            a.Slice(i * n, n).CopyTo(work.RowSpan(i, 0, n));
        }

        PadWithIdentity(work, n);
        return Build(work, n, Level1.MaxMagnitude(a), scale, tolerance, progress, cancellationToken, dtype);
    }

    /// <summary>
    /// Builds L and U for the square sparse matrix <paramref name="a"/> (order at most M P, padded with the identity like the
    /// dense overload) without forming it densely where its structure allows: the block LU runs on the band of P x P blocks
    /// that holds its entries (block bandwidths ⌈lower bandwidth / P⌉ and ⌈upper bandwidth / P⌉; fill stays inside), and the
    /// far field is read from that band only. Memory is O(N · band width) and time O(N · (band width)²) for the block LU; a
    /// matrix of bandwidth at most P is block tridiagonal (O(N P²), no far field at all). A band covering every block is a
    /// dense working copy, allowed while it holds at most <see cref="BlockBandMatrix.MaxElementCount"/> doubles (2 GiB,
    /// order 16,384); so is any band. The result equals the dense overload's on the densified matrix, to rounding.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The matrix is not square, larger than M P, or its band needs more than <see cref="BlockBandMatrix.MaxElementCount"/> doubles.
    /// </exception>
    /// <exception cref="SingularSchurBlockException">A diagonal block of the running Schur complement is singular.</exception>
    /// <exception cref="OperationCanceledException">Cancellation was requested; nothing is returned.</exception>
    public static ExactResult Build(
        CsrMatrix a,
        int m,
        int p,
        double scale = 1,
        double tolerance = DefaultTolerance,
        IProgress<ExactProgress>? progress = null,
        CancellationToken cancellationToken = default,
        GfmmDtype dtype = GfmmDtype.Float32)
    {
        ArgumentNullException.ThrowIfNull(a);
        var layout = new GfmmLayout(GfmmKind.Lower, m, p);
        if (a.Rows != a.Columns)
        {
            throw new ArgumentException($"A {a.Rows} x {a.Columns} matrix is not square.", nameof(a));
        }

        int n = a.Rows;
        CheckOrder(n, layout, nameof(a));
        CheckSettings(scale, tolerance);
        var work = BlockBandMatrix.Create(m, p, BlocksFor(a.LowerBandwidth, p), BlocksFor(a.UpperBandwidth, p));
        for (int i = 0; i < n; i++)
        {
            var columns = a.RowColumns(i);
            var values = a.RowValues(i);
            for (int k = 0; k < columns.Length; k++)
            {
                work.Set(i, columns[k], values[k]);
            }
        }

        PadWithIdentity(work, n);
        return Build(work, n, a.NonZeroCount == 0 ? 0 : Level1.MaxMagnitude(a.Values), scale, tolerance, progress, cancellationToken, dtype);
    }

    /// <summary>The block LU and both factors of a filled working store; <paramref name="n"/> is the user's order.</summary>
    private static ExactResult Build(
        BlockBandMatrix work, int n, double maxAbs, double scale, double tolerance, IProgress<ExactProgress>? progress, CancellationToken cancellationToken, GfmmDtype dtype)
    {
        int m = work.M;
        var clock = Stopwatch.StartNew();
        var lu = SchurComplementBlockLu.Factor(
            work, cancellationToken, progress is null ? null : done => progress.Report(new ExactProgress(ExactStage.BlockLu, done, m)));
        var report = new List<TruncationLevel>();
        double threshold = tolerance * maxAbs;
        var lower = BuildFactor(lu, ExactFactor.L, threshold, report, progress, cancellationToken, dtype);
        Array.Clear(lu.LowerDiagonal); // written into L; dropped before U is written (0.27 GB of doubles at N = 2²⁰)
        var upper = BuildFactor(lu, ExactFactor.U, threshold, report, progress, cancellationToken, dtype);
        clock.Stop();
        var provenance = new GfmmProvenance
        {
            Construction = new ConstructionProvenance
            {
                Method = ConstructionProvenance.ExactMethod,
                Tolerance = tolerance,
                Seconds = clock.Elapsed.TotalSeconds,
            },
        };
        return new ExactResult(new GfmmModel(lower, upper, scale, provenance, n), report, clock.Elapsed.TotalSeconds);
    }

    private static void CheckOrder(int n, GfmmLayout layout, string parameter)
    {
        if (n < 1 || n > layout.N)
        {
            throw new ArgumentOutOfRangeException(parameter, n, $"The matrix order must be in 1 .. M · P = {layout.M} · {layout.P} = {layout.N}.");
        }
    }

    private static void CheckSettings(double scale, double tolerance)
    {
        if (!double.IsFinite(scale) || scale <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "The scale must be finite and > 0.");
        }

        if (!double.IsFinite(tolerance) || tolerance < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "The tolerance must be finite and >= 0.");
        }
    }

    /// <summary>The block bandwidth that holds an entry bandwidth: i − j ≤ w implies ⌊i/P⌋ − ⌊j/P⌋ ≤ ⌈w/P⌉.</summary>
    private static int BlocksFor(int bandwidth, int p) => (int)(((long)bandwidth + p - 1) / p);

    /// <summary>The identity on the rows and columns from <paramref name="n"/> on (the padding of <c>A ⊕ I</c>).</summary>
    private static void PadWithIdentity(BlockBandMatrix work, int n)
    {
        for (int i = n; i < work.N; i++)
        {
            work.Set(i, i, 1);
        }
    }

    /// <summary>
    /// Builds one factor in the lower frame (L itself, or Uᵀ) and writes it into a GFMM block of the factor's kind.
    /// </summary>
    private static GfmmBlock BuildFactor(
        SchurComplementBlockLu lu, ExactFactor factor, double threshold, List<TruncationLevel> report, IProgress<ExactProgress>? progress, CancellationToken cancellationToken, GfmmDtype dtype)
    {
        int m = lu.M, p = lu.P, n = lu.N;
        bool upper = factor == ExactFactor.U;
        var layout = new GfmmLayout(upper ? GfmmKind.Upper : GfmmKind.Lower, m, p);
        int levels = layout.Levels;

        var far = new FarField(lu.Work, transposed: upper);
        int band = far.BandBlocks;

        // Rows of node k see the columns left of it, columns of node k the rows below it, each only as far as the band
        // reaches (beyond it the factor is zero): O(N · band) numbers per level instead of O(N²).
        var rows = new NestedBasis(m, p, far.Row, (l, k) => (Math.Max(0, (k << l) - band) * p, (k << l) * p), threshold);
        var columns = new NestedBasis(m, p, far.Column, (l, k) => (((k + 1) << l) * p, Math.Min(m, ((k + 1) << l) + band) * p), threshold);
        var bridges = new double[levels][][];
        bool hasFarField = upper ? lu.UpperHasFarField : lu.LowerHasFarField;
        var explicitColumns = hasFarField ? new double[n * p] : [];
        var stage = upper ? ExactStage.UpperFactor : ExactStage.LowerFactor;
        for (int level = 1; level < levels; level++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int nodes = m >> level;
            int size = p << level;
            if (!hasFarField)
            {
                // A banded factor: nothing beyond the neighbour blocks, so every basis, transfer and coarse bridge is zero.
                report.Add(new TruncationLevel(factor, BasisSide.Row, level, 0, 0, 0));
                report.Add(new TruncationLevel(factor, BasisSide.Column, level, 0, 0, 0));
                progress?.Report(new ExactProgress(stage, level, levels - 1));
                continue;
            }

            var rowStats = rows.BuildLevel(level);
            var columnStats = columns.BuildLevel(level);
            report.Add(new TruncationLevel(factor, BasisSide.Row, level, rowStats.MaxRank, rowStats.LargestDiscarded, rowStats.DiscardedFrobenius));
            report.Add(new TruncationLevel(factor, BasisSide.Column, level, columnStats.MaxRank, columnStats.LargestDiscarded, columnStats.DiscardedFrobenius));
            columns.AdvanceExplicitBasis(explicitColumns, level);
            bridges[level] = new double[nodes - 1][];
            for (int k = 0; k < nodes - 1; k++)
            {
                // Sibling pairs (2q -> 2q+1) only: coupling = Q_rowᵀ F(node 2q+1, node 2q) Q_col = C_(2q+1)[:, node 2q] Q_col.
                bridges[level][k] = k % 2 == 0
                    ? Multiply(rows.Coefficients(level, k + 1, k * size, size), explicitColumns.AsSpan(k * size * p, size * p), p, size, p)
                    : new double[p * p];
            }

            progress?.Report(new ExactProgress(stage, level, levels - 1));
        }

        var frame = new LowerFrame(m, p);
        for (int level = 0; hasFarField && level < levels - 1; level++)
        {
            for (int c = 0; c < (m >> level); c++)
            {
                frame.Decoder[level][c] = Rounded(rows.Transfers[level][c], p, transpose: false, dtype);
                frame.Encoder[level][c] = Rounded(columns.Transfers[level][c], p, transpose: true, dtype);
            }
        }

        for (int level = 1; hasFarField && level < levels; level++)
        {
            for (int k = 0; k < bridges[level].Length; k++)
            {
                frame.Bridge[level][k] = Rounded(bridges[level][k], p, transpose: false, dtype);
            }
        }

        // G_i and the level-0 bridges are computed as the block is written (LowerFrame.ToBlock), rounded into its store there.
        return frame.ToBlock(
            layout,
            upper,
            dtype,
            i => upper ? Semiseparable.Transpose(lu.UpperDiagonal[i], p, p) : lu.LowerDiagonal[i],
            i => NeighbourCorrection(frame, i, (r, c) => far.At((i * p) + r, ((i - 1) * p) + c)));
    }

    /// <summary>
    /// F(i, i-1) minus what the coarse level that holds the pair in a sibling block already contributes (i even:
    /// the level t = trailing zeros of i): decoder chain of i · bridge · encoder chain of i-1, from the rounded weights.
    /// </summary>
    private static double[] NeighbourCorrection(ILowerFrameWeights frame, int i, Func<int, int, double> exact)
    {
        int p = frame.P;
        var result = new double[p * p];
        for (int r = 0; r < p; r++)
        {
            for (int c = 0; c < p; c++)
            {
                result[(r * p) + c] = exact(r, c);
            }
        }

        int t = BitOperations.TrailingZeroCount(i);
        if (t == 0)
        {
            return result;
        }

        var path = frame.Bridge(t, (i >> t) - 1);
        if (path is null)
        {
            return result; // no far field: the coarse levels contribute nothing
        }

        for (int level = t - 1; level >= 0; level--)
        {
            path = Multiply(frame.Decoder(level, i >> level)!, path, p, p, p);
            path = Multiply(path, frame.Encoder(level, (i - 1) >> level)!, p, p, p);
        }

        Level1.Subtract<double>(path, result);
        return result;
    }

    /// <summary>The row-major product of an (r x k) and a (k x c) matrix.</summary>
    private static double[] Multiply(ReadOnlySpan<double> x, ReadOnlySpan<double> y, int r, int k, int c)
    {
        var z = new double[r * c];
        PackedGemm<double>.Multiply(x, y, z, r, k, c);
        return z;
    }

    /// <summary>The matrix (optionally transposed) with every entry rounded to the model's dtype (float32; float64 keeps it), kept in double.</summary>
    /// <summary>A weight as the model stores it: rounded to float for float32, unchanged for float64.</summary>
    private static double RoundTo(GfmmDtype dtype, double value) => dtype == GfmmDtype.Float64 ? value : (float)value;

    private static double[] Rounded(double[] x, int p, bool transpose, GfmmDtype dtype)
    {
        var source = transpose ? Semiseparable.Transpose(x, p, p) : x;
        var result = new double[p * p];
        for (int k = 0; k < result.Length; k++)
        {
            result[k] = RoundTo(dtype, source[k]);
        }

        return result;
    }
}
