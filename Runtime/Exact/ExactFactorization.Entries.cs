using System.Diagnostics;
using GenLu.Gfmm;
using GenLu.Operators;
using GenLu.Structure;

namespace GenLu.Exact;

public static partial class ExactFactorization
{
    /// <summary>
    /// Default cut of the construction from entries: columns whose sampled residual is at most 1e-14 · max |A_ij| are dropped.
    /// Tighter than <see cref="DefaultTolerance"/> because the sweep's decompositions nest (each leaf's error is carried
    /// by every later one) and see sampled rows only; measured on the RBF kernel at N = 65,536, 1e-12 leaves a sampled
    /// relative error of 1.3e-6 and 1e-14 one of 4e-7 (float32 rounding), for two more columns of rank.
    /// </summary>
    public const double DefaultEntriesTolerance = 1e-14;

    /// <summary>
    /// Builds L and U for a matrix known by its entries (a kernel over points, …) without forming it: O(N · P) entries
    /// read, O(N · P²) work and O(N · P) memory (issue 13). The block-lower and block-upper parts are compressed into
    /// semiseparable generators of rank at most P by a left-to-right skeleton sweep (an interpolative decomposition per
    /// leaf, on the next two leaves' rows and 2P random further rows), the block LU runs on those generators, and the
    /// factors' generators are written as the GFMM nested bases: each coarse bridge between siblings is the identity on
    /// the split's rank, decoders and encoders are products of the sweep's transfer matrices. With n &lt; M P the blocks
    /// factor <c>A ⊕ I</c>. The sweep samples rows, so its error is not bounded a priori: measure it with
    /// <see cref="SampledError"/>; <see cref="ExactResult.Truncation"/> reports (level 0) what each sweep's decompositions
    /// left on the rows they saw. A symmetric matrix is swept once.
    /// </summary>
    /// <param name="a">The matrix, already divided by <paramref name="scale"/>; order 1 .. M P.</param>
    /// <param name="m">Number of leaf blocks, a power of two &gt;= 2.</param>
    /// <param name="p">Block size, also the rank cap.</param>
    /// <param name="scale">The scale s of A ≈ s L U stored in the model.</param>
    /// <param name="tolerance">Columns whose sampled residual norm is at most tolerance · max |A_ij| (over the diagonal blocks) are dropped.</param>
    /// <param name="progress">Receives an <see cref="ExactProgress"/> per leaf of each sweep and per block of the block LU.</param>
    /// <param name="cancellationToken">Checked once per leaf.</param>
    /// <exception cref="SingularSchurBlockException">A diagonal block of the running Schur complement is singular.</exception>
    /// <exception cref="ArgumentException">An entry is not finite (found in the entries read).</exception>
    public static ExactResult Build(
        IMatrixEntries a,
        int m,
        int p,
        double scale = 1,
        double tolerance = DefaultEntriesTolerance,
        IProgress<ExactProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(a);
        var layout = new GfmmLayout(GfmmKind.Lower, m, p);
        int n = a.Order;
        CheckOrder(n, layout, nameof(a));
        CheckSettings(scale, tolerance);
        var clock = Stopwatch.StartNew();
        var padded = new CheckedEntries(MatrixEntries.PaddedWithIdentity(a, layout.N));
        var diagonal = Semiseparable.DiagonalBlocks(padded, m, p);
        double maxAbs = diagonal.Max(block => Kernels.Level1.MaxMagnitude<double>(block));
        double threshold = tolerance * maxAbs;

        Action<int>? Report(ExactStage stage) => progress is null ? null : done => progress.Report(new ExactProgress(stage, done, m));

        // The two sweeps are independent: with a second core the upper one runs beside the lower one.
        var upperSweep = a.IsSymmetric
            ? null
            : Task.Run(
                () => Semiseparable.Sweep(
                    new CheckedEntries(MatrixEntries.Transposed(padded)), m, p, threshold, ExactFactor.U, BasisSide.Row, seed: 2, null, cancellationToken),
                cancellationToken);
        var (lowerPart, lowerReport) = Semiseparable.Sweep(padded, m, p, threshold, ExactFactor.L, BasisSide.Column, seed: 1, Report(ExactStage.Compression), cancellationToken);
        var (upperPart, upperReport) = upperSweep is null
            ? (lowerPart, lowerReport with { Factor = ExactFactor.U, Side = BasisSide.Row })
            : upperSweep.GetAwaiter().GetResult();

        var lu = Semiseparable.Factor(diagonal, lowerPart, upperPart, maxAbs, Report(ExactStage.BlockLu), cancellationToken);
        // L and U are written independently: U on a second core.
        var upperTask = Task.Run(
            () =>
            {
                Semiseparable.Orthonormalize(lu.UTransposed);
                return FrameFromGenerators(lu.UTransposed, lu.UpperDiagonal, transposeDiagonal: true).ToBlock(new GfmmLayout(GfmmKind.Upper, m, p), upper: true);
            },
            cancellationToken);
        Semiseparable.Orthonormalize(lu.L);
        var lower = FrameFromGenerators(lu.L, lu.LowerDiagonal, transposeDiagonal: false).ToBlock(layout, upper: false);
        progress?.Report(new ExactProgress(ExactStage.LowerFactor, 1, 1));
        var upper = upperTask.GetAwaiter().GetResult();
        progress?.Report(new ExactProgress(ExactStage.UpperFactor, 1, 1));
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
        return new ExactResult(new GfmmModel(lower, upper, scale, provenance, n), [lowerReport, upperReport], clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// The lower-frame weights of a block-lower factor with generators <paramref name="g"/> (block (i, j) = Left_i W_(i−1)⋯W_(j+1) Right_j):
    /// node c of level l has the basis of its first split (decoders: the left child keeps it, the right child's is reached
    /// through the left sibling's transfer product) and the encoder side of the split after it; siblings are coupled by the
    /// identity on that split's rank, and the level-0 bridge holds each neighbour block minus what the coarse path gives.
    /// </summary>
    private static LowerFrame FrameFromGenerators(LowerGenerators g, double[][] diagonal, bool transposeDiagonal)
    {
        int m = g.M, p = g.P, levels = GfmmLayout.Log2(m);
        var frame = new LowerFrame(m, p);
        var ranks = g.Ranks;

        // products[l][c] = W_e ⋯ W_s over the leaves s .. e of node c at level l: r_(e+1) x r_s.
        var products = new double[Math.Max(levels - 1, 0)][][];
        for (int level = 0; level < levels - 1; level++)
        {
            int nodes = m >> level;
            products[level] = new double[nodes][];
            for (int c = 0; c < nodes; c++)
            {
                products[level][c] = level == 0
                    ? g.Transfer[c]
                    : Semiseparable.Multiply(products[level - 1][(2 * c) + 1], products[level - 1][2 * c], ranks[(c + 1) << level], ranks[((2 * c) + 1) << (level - 1)], ranks[c << level]);
            }
        }

        for (int level = 0; level < levels - 1; level++)
        {
            for (int c = 0; c < (m >> level); c++)
            {
                int first = c << level, afterLast = (c + 1) << level;
                bool left = c % 2 == 0;
                if (level == 0)
                {
                    // Leaf decoders: U_i in the parent's basis (the right leaf through W_(i−1)); encoders: Ṽ_i lifted to the parent's split.
                    frame.Decoder[0][c] = Padded(left ? g.Left[c] : Semiseparable.Multiply(g.Left[c], g.Transfer[c - 1], p, ranks[c], ranks[c - 1]), p, left ? ranks[c] : ranks[c - 1], p);
                    frame.Encoder[0][c] = Padded(left ? Semiseparable.Multiply(g.Transfer[c + 1], g.Right[c], ranks[c + 2], ranks[c + 1], p) : g.Right[c], left ? ranks[c + 2] : ranks[c + 1], p, p);
                    continue;
                }

                frame.Decoder[level][c] = left ? Identity(p, ranks[first]) : Padded(products[level][c - 1], ranks[first], ranks[(c - 1) << level], p);
                frame.Encoder[level][c] = left ? Padded(products[level][c + 1], ranks[(c + 2) << level], ranks[afterLast], p) : Identity(p, ranks[afterLast]);
            }
        }

        for (int level = 1; level < levels; level++)
        {
            for (int k = 0; k < (m >> level) - 1; k += 2)
            {
                frame.Bridge[level][k] = Identity(p, ranks[(k + 1) << level]);
            }
        }

        for (int i = 0; i < m; i++)
        {
            frame.Diagonal[i] = Rounded(transposeDiagonal ? Transpose(diagonal[i], p) : diagonal[i], p, transpose: false);
            if (i > 0)
            {
                var neighbour = Semiseparable.Multiply(g.Left[i], g.Right[i - 1], p, ranks[i], p); // block (i, i − 1)
                frame.Bridge[0][i - 1] = Rounded(NeighbourCorrection(frame, i, (r, c) => neighbour[(r * p) + c]), p, transpose: false);
            }
        }

        return frame;
    }

    /// <summary>A rows x columns matrix zero-padded to P x P and rounded to float32.</summary>
    private static double[] Padded(double[] x, int rows, int columns, int p)
    {
        var result = new double[p * p];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++) result[(r * p) + c] = (float)x[(r * columns) + c];
        }

        return result;
    }

    private static double[] Identity(int p, int rank)
    {
        var result = new double[p * p];
        for (int k = 0; k < rank; k++) result[(k * p) + k] = 1;
        return result;
    }

    /// <summary>Refuses non-finite entries as they are read (the only entries the construction ever sees).</summary>
    private sealed class CheckedEntries(IMatrixEntries inner) : IMatrixEntries
    {
        public int Order => inner.Order;

        public bool IsSymmetric => inner.IsSymmetric;

        public void Block(ReadOnlySpan<int> rows, ReadOnlySpan<int> columns, Span<double> destination)
        {
            var target = destination[..(rows.Length * columns.Length)];
            inner.Block(rows, columns, target);
            int bad = target.IndexOfAnyExceptInRange(double.MinValue, double.MaxValue);
            if (bad >= 0)
            {
                throw new ArgumentException(
                    $"Entry ({rows[bad / columns.Length]}, {columns[bad % columns.Length]}) of the matrix is {target[bad]}; it must be finite.", "a");
            }
        }
    }
}
