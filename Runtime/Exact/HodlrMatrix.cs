using GenLu.Kernels;
using GenLu.Operators;
using GenLu.Solvers;

namespace GenLu.Exact;

/// <summary>What the sampling of one HODLR level kept and cut.</summary>
/// <param name="Level">Tree level (1 = the two halves of the matrix, deeper levels halve again).</param>
/// <param name="MaxRank">The largest rank kept over the level's off-diagonal blocks.</param>
/// <param name="LargestDiscarded">The largest singular value cut from a block of the level (0 when nothing was cut).</param>
/// <param name="SaturatedBlocks">Blocks whose sample showed no gap: every sampled direction was above the tolerance, so
/// the block's rank may exceed what the sample could see and its error is not bounded by the tolerance.</param>
public sealed record HodlrLevel(int Level, int MaxRank, double LargestDiscarded, int SaturatedBlocks);

/// <summary>
/// A HODLR matrix (hierarchically off-diagonal low rank): the index range is halved recursively down to leaves of at
/// most a given size; each pair of sibling ranges has its two off-diagonal blocks in low-rank form
/// <c>A(τ, σ) ≈ Left · Rightᵀ</c>, and the leaves' diagonal blocks are dense. It holds O(N · r · log N) numbers, gives
/// any entry in O(r) (<see cref="IMatrixEntries"/>, so <see cref="ExactFactorization.Build(IMatrixEntries, int, int, double, double, IProgress{ExactProgress}?, CancellationToken, Structure.GfmmDtype)"/>
/// can factor it) and a product in O(N · r · log N) (<see cref="ILinearOperator"/>).
/// <para><see cref="FromProducts"/> builds it from an operator known only through its products (issue 13, "products
/// only").</para>
/// </summary>
public sealed partial class HodlrMatrix : IMatrixEntries, ILinearOperator
{
    private readonly int n;
    private readonly int depth;
    private readonly bool symmetric;
    private readonly double[][] diagonal;

    /// <summary><c>lower[ℓ - 1][i]</c> is A(second child, first child) of pair i at level ℓ; <c>upper</c> is A(first, second).</summary>
    private readonly LowRank[][] lower;
    private readonly LowRank[][] upper;

    /// <summary>An empty tree of <paramref name="depth"/> levels, filled by the sampling level by level.</summary>
    private HodlrMatrix(int n, int depth, bool symmetric)
    {
        this.n = n;
        this.depth = depth;
        this.symmetric = symmetric;
        diagonal = new double[1 << depth][];
        lower = new LowRank[depth][];
        upper = new LowRank[depth][];
    }

    /// <inheritdoc cref="IMatrixEntries.Order" />
    public int Order => n;

    /// <inheritdoc />
    public bool IsSymmetric => symmetric;

    /// <summary>Tree levels below the root: the leaves are at this level.</summary>
    public int Depth => depth;

    /// <summary>What each level's sampling kept and cut, level 1 first.</summary>
    public IReadOnlyList<HodlrLevel> Levels { get; private set; } = [];

    /// <summary>How many matrix-vector products of the operator the construction used (products and transposed products).</summary>
    public int Products { get; private set; }

    /// <summary>Of the construction's wall time, how much the operator's own products took (the rest is the sampling's arithmetic).</summary>
    public TimeSpan ProductTime { get; private set; }

    /// <summary>Numbers held: the dense leaves and both factors of every off-diagonal block.</summary>
    public long StoredNumbers =>
        diagonal.Sum(block => (long)block.Length)
        + lower.Concat(symmetric ? [] : upper).SelectMany(level => level).Sum(block => (long)block.Left.Length + block.Right.Length);

    /// <summary>First index of node <paramref name="node"/> at <paramref name="level"/>: the ranges nest (node j's
    /// children are 2j and 2j + 1) and differ in length by at most one.</summary>
    private int Start(int level, int node) => (int)(((long)node * n) >> level);

    /// <summary>The leaf holding index <paramref name="index"/>: the largest j with <see cref="Start"/>(depth, j) ≤ index.</summary>
    private int LeafOf(int index) => (int)(((((long)index + 1) << depth) - 1) / n);

    /// <inheritdoc />
    public void Block(ReadOnlySpan<int> rows, ReadOnlySpan<int> columns, Span<double> destination)
    {
        for (int r = 0; r < rows.Length; r++)
        {
            int row = rows[r], rowLeaf = LeafOf(row);
            var line = destination.Slice(r * columns.Length, columns.Length);
            for (int c = 0; c < columns.Length; c++)
            {
                int column = columns[c], columnLeaf = LeafOf(column);
                if (rowLeaf == columnLeaf)
                {
                    int start = Start(depth, rowLeaf), size = Start(depth, rowLeaf + 1) - start;
                    line[c] = diagonal[rowLeaf][((row - start) * size) + column - start];
                    continue;
                }

                // The two leaves first part at the level whose node index is the common prefix of theirs.
                int height = 32 - int.LeadingZeroCount(rowLeaf ^ columnLeaf);
                int level = depth - height + 1, pair = rowLeaf >> height;
                bool rowInSecond = ((rowLeaf >> (height - 1)) & 1) == 1;
                var block = rowInSecond ? lower[level - 1][pair] : upper[level - 1][pair];
                int rowStart = Start(level, (2 * pair) + (rowInSecond ? 1 : 0));
                int columnStart = Start(level, (2 * pair) + (rowInSecond ? 0 : 1));
                line[c] = Level1.Dot<double>(
                    block.Left.AsSpan((row - rowStart) * block.Rank, block.Rank),
                    block.Right.AsSpan((column - columnStart) * block.Rank, block.Rank));
            }
        }
    }

    /// <inheritdoc />
    public void Apply(ReadOnlySpan<double> x, Span<double> y) => Product(x, y, transpose: false);

    /// <inheritdoc />
    public void ApplyTranspose(ReadOnlySpan<double> x, Span<double> y) => Product(x, y, transpose: true);

    private void Product(ReadOnlySpan<double> x, Span<double> y, bool transpose)
    {
        if (x.Length != n || y.Length != n) throw new ArgumentException($"The product needs vectors of length {n}, got {x.Length} and {y.Length}.");
        // Each part subtracts, so the sum is built negated and flipped once at the end.
        y.Clear();
        SubtractOffDiagonal(y, x, 1, depth, transpose);
        for (int leaf = 0; leaf < diagonal.Length; leaf++)
        {
            int start = Start(depth, leaf), size = Start(depth, leaf + 1) - start;
            var block = diagonal[leaf];
            for (int i = 0; i < size; i++)
            {
                double sum = 0;
                for (int j = 0; j < size; j++) sum += (transpose ? block[(j * size) + i] : block[(i * size) + j]) * x[start + j];
                y[start + i] -= sum;
            }
        }

        Level1.Scale(-1.0, y);
    }

    /// <summary>
    /// <c>y −= B x</c> (or <c>Bᵀ x</c>) for B the off-diagonal blocks of levels 1 .. <paramref name="levels"/>; x and y are
    /// n x <paramref name="count"/> row-major. A level's pairs write disjoint rows, so they run on all cores.
    /// </summary>
    private void SubtractOffDiagonal(Span<double> y, ReadOnlySpan<double> x, int count, int levels, bool transpose)
    {
        for (int level = 1; level <= levels; level++)
        {
            int pairs = 1 << (level - 1), lev = level;
            var belowBlocks = lower[level - 1];
            var aboveBlocks = upper[level - 1];
            unsafe
            {
                fixed (double* yp = y)
                fixed (double* xp = x)
                {
                    nint yAddress = (nint)yp, xAddress = (nint)xp;
                    void Pair(int pair)
                    {
                        var workspace = LowRankWorkspace.OfThisThread;
                        int first = Start(lev, 2 * pair), second = Start(lev, (2 * pair) + 1), end = Start(lev, (2 * pair) + 2);
                        var yAll = new Span<double>((double*)yAddress, n * count);
                        var xAll = new ReadOnlySpan<double>((double*)xAddress, n * count);
                        var yFirst = yAll.Slice(first * count, (second - first) * count);
                        var ySecond = yAll.Slice(second * count, (end - second) * count);
                        var xFirst = xAll.Slice(first * count, (second - first) * count);
                        var xSecond = xAll.Slice(second * count, (end - second) * count);
                        if (!transpose)
                        {
                            belowBlocks[pair].SubtractProduct(ySecond, xFirst, count, workspace);
                            aboveBlocks[pair].SubtractProduct(yFirst, xSecond, count, workspace);
                        }
                        else
                        {
                            belowBlocks[pair].SubtractTransposedProduct(yFirst, xSecond, count, workspace);
                            aboveBlocks[pair].SubtractTransposedProduct(ySecond, xFirst, count, workspace);
                        }
                    }

                    // A product of one vector is too little work per pair to share out.
                    if (count == 1 || pairs == 1)
                    {
                        for (int pair = 0; pair < pairs; pair++) Pair(pair);
                    }
                    else
                    {
                        Parallel.For(0, pairs, Pair);
                    }
                }
            }
        }
    }

    /// <summary>A(τ, σ) ≈ Left · Rightᵀ: Left is |τ| x Rank and Right |σ| x Rank, both row-major.</summary>
    private sealed record LowRank(double[] Left, double[] Right, int Rank)
    {
        /// <summary>The block of Aᵀ at (σ, τ): the same factors swapped (no copy).</summary>
        public LowRank Transposed => new(Right, Left, Rank);

        /// <summary>y (|τ| x count) −= Left · (Rightᵀ x), x |σ| x count.</summary>
        public void SubtractProduct(Span<double> y, ReadOnlySpan<double> x, int count, LowRankWorkspace workspace) =>
            SubtractThroughRank(y, Left, Right, x, count, workspace);

        /// <summary>y (|σ| x count) −= Right · (Leftᵀ x), x |τ| x count.</summary>
        public void SubtractTransposedProduct(Span<double> y, ReadOnlySpan<double> x, int count, LowRankWorkspace workspace) =>
            SubtractThroughRank(y, Right, Left, x, count, workspace);

        private unsafe void SubtractThroughRank(Span<double> y, double[] outer, double[] inner, ReadOnlySpan<double> x, int count, LowRankWorkspace workspace)
        {
            if (Rank == 0) return;
            int outputs = outer.Length / Rank, inputs = inner.Length / Rank;
            var coefficients = workspace.Coefficients(Rank * count);
            coefficients.Clear();
            fixed (double* yp = y)
            fixed (double* xp = x)
            fixed (double* outerPointer = outer)
            fixed (double* innerPointer = inner)
            fixed (double* c = coefficients)
            fixed (double* packedA = workspace.PackedA)
            fixed (double* packedB = workspace.PackedB)
            {
                var gemm = new GemmWorkspace<double>(packedA, packedB);
                // coefficients = −innerᵀ x (innerᵀ is inner's row-major storage read with swapped strides), then
                // y −= outer · (−coefficients) after an exact negation.
                PackedGemm<double>.SubtractProduct(
                    new StridedMatrix<double>(c, count, 1), new StridedMatrix<double>(innerPointer, 1, Rank), new StridedMatrix<double>(xp, count, 1), Rank, count, inputs, gemm);
                Level1.Scale(-1.0, coefficients);
                PackedGemm<double>.SubtractProduct(
                    new StridedMatrix<double>(yp, count, 1), new StridedMatrix<double>(outerPointer, Rank, 1), new StridedMatrix<double>(c, count, 1), outputs, count, Rank, gemm);
            }
        }
    }

    /// <summary>One thread's packing buffers and rank x count coefficients, kept per thread (never shared, so every
    /// product and the parallel sampling reuse them without allocating).</summary>
    private sealed class LowRankWorkspace
    {
        [ThreadStatic]
        private static LowRankWorkspace? ofThisThread;

        private double[] coefficients = new double[1024];

        public static LowRankWorkspace OfThisThread => ofThisThread ??= new LowRankWorkspace();

        public double[] PackedA { get; } = new double[PackedGemm<double>.PackedALength];

        public double[] PackedB { get; } = new double[PackedGemm<double>.PackedBLength];

        public Span<double> Coefficients(int length)
        {
            if (coefficients.Length < length) coefficients = new double[length];
            return coefficients.AsSpan(0, length);
        }
    }
}
