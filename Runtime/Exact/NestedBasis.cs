using GenLu.Kernels;
using GenLu.Structure;

namespace GenLu.Exact;

/// <summary>
/// One side (rows or columns) of an H²-style nested basis over the binary tree of M leaves of size P.
/// The basis of node k at level l &gt;= 1 is an orthonormal (2^l P) x P matrix (zero-padded when its rank is below P)
/// <c>Q^(l)_k = blockdiag(Q^(l-1)_(2k), Q^(l-1)_(2k+1)) [T_(2k); T_(2k+1)]</c>, with leaf bases the identity, so only the
/// P x P transfer blocks <c>T_c</c> are stored. For the row side the transfers are the decoder edges D[l][c];
/// for the column side their transposes are the encoder edges E[l][c].
/// </summary>
/// <remarks>
/// The basis of a node must span its far field: the entries of the (masked) target between the node's indices and the
/// contiguous range of far indices given by <see cref="FarRange"/>. Built bottom-up: at level 1 the far-field block
/// (2P x width) is read from the target; at coarser levels it is replaced by the children's coefficient blocks
/// <c>C_c = Q_cᵀ R_c</c> restricted to the parent's range (exact, because <c>Q_kᵀ R_k = [T]ᵀ [C_(2k); C_(2k+1)]</c>),
/// and a truncated SVD of that 2P x width block gives the transfers and the node's own coefficients.
/// </remarks>
internal sealed class NestedBasis
{
    /// <summary>Writes the target entries between node index <paramref name="nodeIndex"/> and far indices from <paramref name="from"/> on.</summary>
    public delegate void FarLine(int nodeIndex, int from, Span<double> destination);

    /// <summary>The far range [start, end) of node <paramref name="node"/> at <paramref name="level"/>.</summary>
    public delegate (int Start, int End) FarRange(int level, int node);

    private readonly int m;
    private readonly int p;
    private readonly int levels;
    private readonly FarLine line;
    private readonly FarRange range;
    private readonly double threshold;
    private double[][] coefficients;

    public NestedBasis(int m, int p, FarLine line, FarRange range, double threshold)
    {
        this.m = m;
        this.p = p;
        levels = GfmmLayout.Log2(m);
        this.line = line;
        this.range = range;
        this.threshold = threshold;
        Transfers = new double[Math.Max(levels - 1, 0)][][];
        coefficients = [];
    }

    /// <summary>Transfers[l][c]: the P x P block of child c (at level l) in its parent's basis, row-major.</summary>
    public double[][][] Transfers { get; }

    /// <summary>
    /// Builds the bases of the nodes at <paramref name="level"/> (1 .. levels-1), after the finer levels, and returns
    /// (max rank, largest discarded σ, sqrt of the sum of all discarded σ²) over the level's nodes.
    /// </summary>
    public (int MaxRank, double LargestDiscarded, double DiscardedFrobenius) BuildLevel(int level)
    {
        int nodes = m >> level;
        int rows = 2 * p;
        var next = new double[nodes][];
        int maxRank = 0;
        double largest = 0;
        double squares = 0;
        Transfers[level - 1] = new double[nodes * 2][];
        for (int k = 0; k < nodes; k++)
        {
            var (start, end) = range(level, k);
            int width = end - start;
            var block = level == 1 ? ReadLeafPairBlock(k, start, width) : StackChildCoefficients(level, k, start, width);
            int rank = 0;
            double[] vectors = [];
            if (width > 0)
            {
                (vectors, var sigma) = LeftSingularVectors.Compute(block, rows, width);
                while (rank < Math.Min(p, sigma.Length) && sigma[rank] > threshold)
                {
                    rank++;
                }

                for (int j = rank; j < sigma.Length; j++)
                {
                    largest = Math.Max(largest, sigma[j]);
                    squares += sigma[j] * sigma[j];
                }
            }

            maxRank = Math.Max(maxRank, rank);
            Transfers[level - 1][2 * k] = TransferBlock(vectors, rank, 0);
            Transfers[level - 1][(2 * k) + 1] = TransferBlock(vectors, rank, p);
            next[k] = Coefficients(vectors, rank, block, width);
        }

        coefficients = next;
        return (maxRank, largest, Math.Sqrt(squares));
    }

    /// <summary>
    /// <c>Q_kᵀ R_k</c> for node k of the last built level, restricted to far indices [from, from + count), as P x count
    /// (zero where the node's far range does not reach: the target is zero there).
    /// </summary>
    public double[] Coefficients(int level, int k, int from, int count)
    {
        var result = new double[p * count];
        CopyCoefficients(coefficients[k], range(level, k).Start, from, count, result, 0);
        return result;
    }

    /// <summary>
    /// Advances the explicit basis: on entry <paramref name="basis"/> (N x P) holds the level l-1 bases of all nodes
    /// (the identity blocks for l = 1 when <paramref name="level"/> is 1), on return those of level l.
    /// </summary>
    public void AdvanceExplicitBasis(double[] basis, int level)
    {
        int n = m * p;
        var row = new double[p];
        for (int g = 0; g < n; g++)
        {
            var transfer = Transfers[level - 1][g / (p << (level - 1))];
            var current = basis.AsSpan(g * p, p);
            if (level == 1)
            {
                // Leaf bases are the identity: the row of leaf index g is row (g mod P) of the transfer.
                transfer.AsSpan((g % p) * p, p).CopyTo(current);
                continue;
            }

            row.AsSpan().Clear();
            for (int a = 0; a < p; a++)
            {
                double value = current[a];
                if (value != 0)
                {
                    Level1.Axpy<double>(value, transfer.AsSpan(a * p, p), row);
                }
            }

            row.CopyTo(current);
        }
    }

    private double[] ReadLeafPairBlock(int k, int start, int width)
    {
        int rows = 2 * p;
        var block = new double[rows * width];
        for (int a = 0; a < rows; a++)
        {
            line((k * rows) + a, start, block.AsSpan(a * width, width));
        }

        return block;
    }

    private double[] StackChildCoefficients(int level, int k, int start, int width)
    {
        var block = new double[2 * p * width];
        for (int half = 0; half < 2; half++)
        {
            int child = (2 * k) + half;
            CopyCoefficients(coefficients[child], range(level - 1, child).Start, start, width, block, half * p * width);
        }

        return block;
    }

    /// <summary>
    /// Copies the far indices [from, from + count) of a P-row coefficient block whose columns start at far index
    /// <paramref name="sourceStart"/> into P rows of <paramref name="destination"/> from <paramref name="offset"/>; indices the
    /// source does not hold stay zero. A band-limited range leaves out only indices where the target is zero, and a child's
    /// range differs from its parent's only there, so nothing non-zero is lost.
    /// </summary>
    private void CopyCoefficients(double[] source, int sourceStart, int from, int count, double[] destination, int offset)
    {
        int sourceWidth = source.Length / p;
        int first = Math.Max(from, sourceStart), end = Math.Min(from + count, sourceStart + sourceWidth);
        if (end <= first)
        {
            return;
        }

        for (int a = 0; a < p; a++)
        {
            source.AsSpan((a * sourceWidth) + first - sourceStart, end - first)
                .CopyTo(destination.AsSpan(offset + (a * count) + first - from, end - first));
        }
    }

    /// <summary>Rows [offset, offset + P) of the first <paramref name="rank"/> singular vectors, zero-padded to P x P.</summary>
    private double[] TransferBlock(double[] vectors, int rank, int offset)
    {
        var t = new double[p * p];
        int rows = 2 * p;
        for (int b = 0; b < rank; b++)
        {
            for (int a = 0; a < p; a++)
            {
                t[(a * p) + b] = vectors[(b * rows) + offset + a];
            }
        }

        return t;
    }

    /// <summary>Wᵀ R for the kept vectors W (P x width; rows past the rank are zero).</summary>
    private double[] Coefficients(double[] vectors, int rank, double[] block, int width)
    {
        int rows = 2 * p;
        var c = new double[p * width];
        for (int b = 0; b < rank; b++)
        {
            var target = c.AsSpan(b * width, width);
            for (int a = 0; a < rows; a++)
            {
                double w = vectors[(b * rows) + a];
                if (w == 0)
                {
                    continue;
                }

                Level1.Axpy<double>(w, block.AsSpan(a * width, width), target);
            }
        }

        return c;
    }
}
