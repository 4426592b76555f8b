using System.Diagnostics;
using System.Numerics;
using GenLu.Dense;
using GenLu.Kernels;
using GenLu.Gfmm;
using GenLu.Operators;
using GenLu.Structure;

namespace GenLu.Exact;

public static partial class ExactFactorization
{
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
    /// <param name="dtype">The model's number type: float32 rounds every weight to float, float64 keeps the double factors.</param>
    /// <exception cref="SingularSchurBlockException">A diagonal block of the running Schur complement is singular.</exception>
    /// <exception cref="ArgumentException">An entry is not finite (found in the entries read).</exception>
    public static ExactResult Build(
        IMatrixEntries a,
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

        // The block LU runs in orthonormal bases: in the sweep's skeleton bases (nearly parallel kernel columns) its r x r
        // Schur state would carry huge coefficients that cancel, and lose the digits the far field needs.
        Semiseparable.Orthonormalize(lowerPart);
        if (!ReferenceEquals(upperPart, lowerPart)) Semiseparable.Orthonormalize(upperPart);
        var lu = Semiseparable.Factor(diagonal, lowerPart, upperPart, maxAbs, Report(ExactStage.BlockLu), cancellationToken);
        // L keeps A's row bases and Uᵀ A's column bases (L(R, <R) = A(R, <R) U⁻¹), so both are already orthonormal.
        // L and U are written independently: U on a second core.
        var upperTask = Task.Run(
            () => new SemiseparableFrame(lu.UTransposed, dtype).ToBlock(new GfmmLayout(GfmmKind.Upper, m, p), diagonal, lu.Pivots, upper: true),
            cancellationToken);
        var lower = new SemiseparableFrame(lu.L, dtype).ToBlock(layout, diagonal, lu.Pivots, upper: false);
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
    /// The GFMM weights of a block-lower factor with generators g (block (i, j) = Left_i W_(i−1)⋯W_(j+1) Right_j), written
    /// straight into the block's float store (no double copy of the weights): node c of level l keeps the basis of its
    /// first split (decoders: the left child the identity, the right child its left sibling's transfer product), encoders
    /// lift to the split after the node (the left child through its right sibling's product), siblings are coupled by the
    /// identity on that split's rank, and the level-0 bridge holds each neighbour block minus what the coarse path gives.
    /// For U the lower frame is Uᵀ's and each tensor is written transposed into its mirror (E_U = Dᵀ, D_U = Eᵀ, Up = Loᵀ).
    /// </summary>
    private sealed unsafe class SemiseparableFrame : ILowerFrameWeights
    {
        private readonly LowerGenerators g;
        private readonly int m;
        private readonly int levels;
        private readonly int[] ranks;

        /// <summary>products[l][c] = W_e ⋯ W_s over the leaves s .. e of node c at level l (r_(e+1) x r_s), levels 0 .. levels − 2.</summary>
        private readonly double[][][] products;

        private readonly GfmmDtype dtype;

        public SemiseparableFrame(LowerGenerators generators, GfmmDtype dtype)
        {
            this.dtype = dtype;
            g = generators;
            m = g.M;
            P = g.P;
            levels = GfmmLayout.Log2(m);
            ranks = g.Ranks;
            products = new double[Math.Max(levels - 1, 0)][][];
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
        }

        public int P { get; }

        public double[]? Decoder(int level, int c) => DecoderPiece(level, c)?.ToPadded(P, dtype);

        public double[]? Encoder(int level, int c) => EncoderPiece(level, c)?.ToPadded(P, dtype);

        public double[]? Bridge(int level, int k) => BridgePiece(level, k)?.ToPadded(P, dtype);

        private Piece? DecoderPiece(int level, int c)
        {
            if (level > levels - 2) return null; // the top level feeds the zero root
            bool left = c % 2 == 0;
            if (level == 0)
            {
                return left ? new Piece(g.Left[c], P, ranks[c]) : new Piece(Semiseparable.Multiply(g.Left[c], g.Transfer[c - 1], P, ranks[c], ranks[c - 1]), P, ranks[c - 1]);
            }

            return left ? Piece.Identity(ranks[c << level]) : new Piece(products[level][c - 1], ranks[c << level], ranks[(c - 1) << level]);
        }

        private Piece? EncoderPiece(int level, int c)
        {
            if (level > levels - 2) return null;
            bool left = c % 2 == 0;
            int afterLast = (c + 1) << level;
            if (level == 0)
            {
                return left ? new Piece(Semiseparable.Multiply(g.Transfer[c + 1], g.Right[c], ranks[c + 2], ranks[c + 1], P), ranks[c + 2], P) : new Piece(g.Right[c], ranks[c + 1], P);
            }

            return left ? new Piece(products[level][c + 1], ranks[(c + 2) << level], ranks[afterLast]) : Piece.Identity(ranks[afterLast]);
        }

        /// <summary>G_i of L (P Λ of the Schur LU) or, as the lower-frame Uᵀ is written transposed, G_iᵀ of U.</summary>
        private double[] DiagonalFactor(double[] lu, int[] interchanges, bool upper)
        {
            fixed (double* values = lu)
            {
                var view = StridedMatrix<double>.Create(values, P, MatrixLayout.RowMajor);
                return upper ? Semiseparable.Transpose(SchurComplementBlockLu.UpperPart(view, P), P, P) : SchurComplementBlockLu.PermutedUnitLower(view, interchanges, P);
            }
        }

        /// <summary>Coarse bridges only (level ≥ 1): the identity between siblings, zero between cousins.</summary>
        private Piece? BridgePiece(int level, int k) => level >= 1 && k % 2 == 0 ? Piece.Identity(ranks[(k + 1) << level]) : null;

        /// <summary>The level-0 bridge into leaf i: block (i, i − 1) minus the coarse path's share.</summary>
        public double[] NeighbourBridge(int i)
        {
            var neighbour = Semiseparable.Multiply(g.Left[i], g.Right[i - 1], P, ranks[i], P);
            return Rounded(NeighbourCorrection(this, i, (r, c) => neighbour[(r * P) + c]), P, transpose: false, dtype);
        }

        /// <summary>
        /// The block: every set tensor listed first (ascending index), the float store allocated once, then the tensors
        /// computed and written in parallel (each is independent). <paramref name="schurLu"/>[i] and <paramref name="pivots"/>[i]
        /// are the LU of the Schur block of leaf i (<see cref="Semiseparable.Factor"/>): L's G_i is its permuted unit lower
        /// part, U's its upper part.
        /// </summary>
        public GfmmBlock ToBlock(GfmmLayout layout, double[][] schurLu, int[][] pivots, bool upper)
        {
            var producers = new List<(int Tensor, Func<Piece> Weights)>();
            for (int level = 0; level < levels - 1; level++)
            {
                for (int c = 0; c < (m >> level); c++)
                {
                    int node = c, at = level;
                    producers.Add((upper ? layout.Decoder(at, node) : layout.Encoder(at, node), () => EncoderPiece(at, node)!.Value));
                    producers.Add((upper ? layout.Encoder(at, node) : layout.Decoder(at, node), () => DecoderPiece(at, node)!.Value));
                }
            }

            for (int level = 1; level < levels; level++)
            {
                for (int k = 0; k < (m >> level) - 1; k += 2)
                {
                    int node = k, at = level;
                    producers.Add((upper ? layout.UpperBridge(at, node) : layout.LowerBridge(at, node), () => BridgePiece(at, node)!.Value));
                }
            }

            for (int i = 0; i < m; i++)
            {
                int leaf = i;
                producers.Add((layout.Diagonal(leaf), () => new Piece(DiagonalFactor(schurLu[leaf], pivots[leaf], upper), P, P)));
                if (i > 0)
                {
                    producers.Add((upper ? layout.UpperBridge(0, leaf - 1) : layout.LowerBridge(0, leaf - 1), () => new Piece(NeighbourBridge(leaf), P, P)));
                }
            }

            producers.Sort((a, b) => a.Tensor.CompareTo(b.Tensor));
            return dtype == GfmmDtype.Float64 ? Write<double>(layout, producers, upper) : Write<float>(layout, producers, upper);
        }

        private GfmmBlock Write<T>(GfmmLayout layout, List<(int Tensor, Func<Piece> Weights)> producers, bool upper)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            int size = layout.TensorSize;
            var values = new T[(long)producers.Count * size];
            Parallel.For(0, producers.Count, k =>
            {
                // The store starts at zero: only the piece's rows x columns (or its identity) are written, rounded by the conversion.
                var piece = producers[k].Weights();
                var destination = values.AsSpan(k * size, size);
                if (piece.Values is null)
                {
                    for (int d = 0; d < piece.Rows; d++) destination[(d * P) + d] = T.One;
                    return;
                }

                for (int r = 0; r < piece.Rows; r++)
                {
                    for (int c = 0; c < piece.Columns; c++)
                    {
                        destination[upper ? (c * P) + r : (r * P) + c] = T.CreateTruncating(piece.Values[(r * piece.Columns) + c]);
                    }
                }
            });
            return GfmmBlock.Adopt(GfmmTensorStore<T>.Sparse(layout, producers.ConvertAll(x => x.Tensor), values));
        }
    }

    /// <summary>
    /// A weight before it is written: the leading rows x columns of a P x P tensor (row-major <see cref="Values"/>), or with
    /// no values the identity on the first <see cref="Rows"/> entries; the rest of the tensor is zero.
    /// </summary>
    private readonly record struct Piece(double[]? Values, int Rows, int Columns)
    {
        public static Piece Identity(int rank) => new(null, rank, rank);

        /// <summary>The P x P tensor as the model stores it (rounded to its dtype), in double.</summary>
        public double[] ToPadded(int p, GfmmDtype dtype)
        {
            if (Values is not null) return Padded(Values, Rows, Columns, p, dtype);
            var result = new double[p * p];
            for (int k = 0; k < Rows; k++) result[(k * p) + k] = 1;
            return result;
        }
    }

    /// <summary>A rows x columns matrix zero-padded to P x P and rounded to the model's dtype.</summary>
    private static double[] Padded(double[] x, int rows, int columns, int p, GfmmDtype dtype)
    {
        var result = new double[p * p];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++) result[(r * p) + c] = RoundTo(dtype, x[(r * columns) + c]);
        }

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
