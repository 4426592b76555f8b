using GenLu.Kernels;
using GenLu.Operators;

namespace GenLu.Exact;

/// <summary>
/// Block semiseparable generators of the strictly block-lower part of a matrix over M leaves of size P:
/// block (i, j), i &gt; j, equals <c>Left[i] · Transfer[i−1] ⋯ Transfer[j+1] · Right[j]</c>, with
/// <c>Left[i]</c> P x r_i, <c>Transfer[i]</c> r_(i+1) x r_i and <c>Right[i]</c> r_(i+1) x P, all row-major; r_0 = r_M = 0.
/// r_i is the rank of the split before leaf i (the block of rows ≥ leaf i against the columns before it).
/// </summary>
internal sealed class LowerGenerators
{
    public LowerGenerators(int m, int p)
    {
        M = m;
        P = p;
        Left = new double[m][];
        Transfer = new double[m][];
        Right = new double[m][];
        Ranks = new int[m + 1];
    }

    public int M { get; }

    public int P { get; }

    public double[][] Left { get; }

    public double[][] Transfer { get; }

    public double[][] Right { get; }

    /// <summary>Ranks[i] = r_i, i = 0 .. M.</summary>
    public int[] Ranks { get; }
}

/// <summary>
/// The construction from entries: a left-to-right skeleton sweep that compresses the block-lower part of A into
/// <see cref="LowerGenerators"/> reading O(N · P) entries, and the block LU of a matrix given by such generators
/// (lower part from A, upper part from Aᵀ) in O(N · P²), whose factors have generators of the same ranks.
/// </summary>
/// <remarks>
/// Sweep: after leaf i the columns before leaf i + 1 are represented by a skeleton J_(i+1) of at most P of them, with
/// A(rows ≥ leaf i+1, columns &lt; leaf i+1) ≈ A(·, J_(i+1)) X_(i+1). The candidates J_i ∪ leaf i are skeletonized by an
/// interpolative decomposition Z of A(sampled rows, candidates); then X_(i+1) = Z · blockdiag(X_i, I), so
/// Transfer[i] = Z's J_i columns, Right[i] = Z's leaf columns and Left[i] = A(leaf i, J_i). The sampled rows are the next
/// two leaves in full (the nearest, largest interactions) and 2P rows drawn at random from the rest; the result's error is
/// measured afterwards on sampled rows (<see cref="SampledError"/>).
/// <para>
/// Block LU (Schur complements carried in an r x r state): with A(i, j) = U_i W⋯W V_j (i &gt; j) and
/// A(i, j) = P_i R⋯R Q_jᵀ (i &lt; j), the state H_i = Σ_(j&lt;i) (W⋯W Ṽ_j)(P̃_j R⋯R) gives the Schur diagonal block
/// S_i = A_ii − U_i H_i Q_iᵀ = G^L_i G^U_i, then Ṽ_i = (V_i − W_i H_i Q_iᵀ)(G^U_i)⁻¹, P̃_i = (G^L_i)⁻¹(P_i − U_i H_i R_i),
/// H_(i+1) = W_i H_i R_i + Ṽ_i P̃_i; L has generators (U, W, Ṽ) and Uᵀ has (Q, Rᵀ, P̃ᵀ).
/// </para>
/// </remarks>
internal static class Semiseparable
{
    /// <summary>Rows drawn at random beyond the next two leaves, in units of P.</summary>
    private const int RandomRowsPerP = 2;

    /// <summary>The sweep over <paramref name="a"/> (order M P). Its ID drops columns whose residual norm is at most <paramref name="threshold"/>.</summary>
    public static (LowerGenerators Generators, TruncationLevel Report) Sweep(
        IMatrixEntries a, int m, int p, double threshold, ExactFactor factor, BasisSide side, int seed, Action<int>? leafDone, CancellationToken cancellationToken)
    {
        int n = m * p;
        var result = new LowerGenerators(m, p);
        var random = new Random(seed);
        int[] skeleton = [];
        int maxRank = 0;
        double largest = 0, squares = 0;
        for (int i = 0; i < m; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int start = i * p;
            int r = skeleton.Length;
            var leaf = Enumerable.Range(start, p).ToArray();
            result.Left[i] = new double[p * r];
            a.Block(leaf, skeleton, result.Left[i]);
            if (i == m - 1)
            {
                result.Transfer[i] = [];
                result.Right[i] = [];
                leafDone?.Invoke(i + 1);
                break;
            }

            var candidates = new int[r + p];
            skeleton.CopyTo(candidates, 0);
            leaf.CopyTo(candidates, r);
            var rows = SampleRows(start + p, n, p, random);
            var rowMajor = new double[rows.Length * candidates.Length];
            a.Block(rows, candidates, rowMajor);
            var columnMajor = Transpose(rowMajor, rows.Length, candidates.Length);
            var id = InterpolativeDecomposition.Compute(columnMajor, rows.Length, candidates.Length, threshold, p);
            int next = id.Rank;
            result.Ranks[i + 1] = next;
            result.Transfer[i] = Columns(id.Interpolation, next, candidates.Length, 0, r);
            result.Right[i] = Columns(id.Interpolation, next, candidates.Length, r, p);
            skeleton = id.Skeleton.Select(k => candidates[k]).ToArray();
            maxRank = Math.Max(maxRank, next);
            largest = Math.Max(largest, id.LargestDiscarded);
            squares += id.DiscardedFrobenius * id.DiscardedFrobenius;
            leafDone?.Invoke(i + 1);
        }

        return (result, new TruncationLevel(factor, side, 0, maxRank, largest, Math.Sqrt(squares)));
    }

    /// <summary>The diagonal blocks of A (row-major P x P each).</summary>
    public static double[][] DiagonalBlocks(IMatrixEntries a, int m, int p)
    {
        var blocks = new double[m][];
        for (int i = 0; i < m; i++)
        {
            var leaf = Enumerable.Range(i * p, p).ToArray();
            blocks[i] = new double[p * p];
            a.Block(leaf, leaf, blocks[i]);
        }

        return blocks;
    }

    /// <summary>
    /// The block LU A = L U of the matrix with diagonal blocks <paramref name="diagonal"/>, lower part <paramref name="lower"/>
    /// and upper part given by the generators of its transpose's lower part <paramref name="upperTransposed"/>.
    /// Returns the generators of L and of Uᵀ and the row interchanges of each Schur block's LU; the LU itself overwrites
    /// <paramref name="diagonal"/>[i] (unit lower part below the diagonal, upper part on and above): G^L_i is its
    /// <see cref="SchurComplementBlockLu.PermutedUnitLower"/>, G^U_i its <see cref="SchurComplementBlockLu.UpperPart"/>.
    /// Working in place keeps one P x P block per leaf alive (at N = 2²⁰ a copy of each would be 0.27 GB of doubles).
    /// </summary>
    /// <exception cref="SingularSchurBlockException">A Schur diagonal block has a pivot at most n ε max |A_ij|.</exception>
    public static (LowerGenerators L, LowerGenerators UTransposed, int[][] Pivots) Factor(
        double[][] diagonal, LowerGenerators lower, LowerGenerators upperTransposed, double maxAbs, Action<int>? blockDone, CancellationToken cancellationToken)
    {
        int m = lower.M, p = lower.P;
        double pivotThreshold = SchurComplementBlockLu.SingularPivotThreshold(m * p, maxAbs);
        var l = new LowerGenerators(m, p);
        var ut = new LowerGenerators(m, p);
        lower.Ranks.CopyTo(l.Ranks, 0);
        upperTransposed.Ranks.CopyTo(ut.Ranks, 0);
        var interchanges = new int[m][];
        double[] state = []; // H_i, r_i x q_i
        for (int i = 0; i < m; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int r = lower.Ranks[i], q = upperTransposed.Ranks[i];
            int rNext = lower.Ranks[i + 1], qNext = upperTransposed.Ranks[i + 1];
            var u = lower.Left[i];              // P x r
            var qi = upperTransposed.Left[i];   // P x q
            var uh = Multiply(u, state, p, r, q);                 // U_i H_i: P x q
            var schur = diagonal[i];
            var pivots = interchanges[i] = new int[p];
            SubtractProductTransposed(schur, uh, qi, p, q, p);    // S_i = A_ii − U_i H_i Q_iᵀ
            Structure.UnblockedLu.Factor(schur, 0, p, pivots, 0);
            for (int k = 0; k < p; k++)
            {
                double pivot = Math.Abs(schur[(k * p) + k]);
                if (!(pivot > pivotThreshold))
                {
                    throw new SingularSchurBlockException(i, p, k, pivot, pivotThreshold);
                }
            }

            l.Left[i] = u;
            ut.Left[i] = qi;
            if (i == m - 1)
            {
                l.Transfer[i] = l.Right[i] = ut.Transfer[i] = ut.Right[i] = [];
                blockDone?.Invoke(i + 1);
                break;
            }

            var w = lower.Transfer[i];              // rNext x r
            var wq = upperTransposed.Transfer[i];   // qNext x q  (R_i = wqᵀ)
            // Ṽ_i = (V_i − W_i H_i Q_iᵀ)(G^U_i)⁻¹
            var wh = Multiply(w, state, rNext, r, q);
            var vTilde = (double[])lower.Right[i].Clone();
            SubtractProductTransposed(vTilde, wh, qi, rNext, q, p);
            SolveRightUpper(vTilde, rNext, schur, p);
            // P̃_iᵀ = (P_iᵀ − R_iᵀ H_iᵀ U_iᵀ)(G^L_i)⁻ᵀ = rows solved by G^L_i: each row x of P̃ᵀ solves G^L xᵀ = yᵀ.
            var hu = Transpose(uh, p, q);   // (U_i H_i)ᵀ: q x P
            var pTilde = (double[])upperTransposed.Right[i].Clone();
            SubtractProduct(pTilde, wq, hu, qNext, q, p);
            SolveLowerRows(pTilde, qNext, schur, pivots, p);
            // H_(i+1) = W_i H_i R_i + Ṽ_i P̃_i
            var next = MultiplyTransposed(wh, wq, rNext, q, qNext);
            AddProductTransposed(next, vTilde, pTilde, rNext, p, qNext);
            state = next;
            l.Transfer[i] = w;
            l.Right[i] = vTilde;
            ut.Transfer[i] = wq;
            ut.Right[i] = pTilde;
            blockDone?.Invoke(i + 1);
        }

        return (l, ut, interchanges);
    }

    /// <summary>
    /// Changes the basis of every split so that the column bases of the block rows below it, H_i = [Left_i; H_(i+1) W_i],
    /// are orthonormal (a backward sweep of thin QRs of [Left_i; R_(i+1) W_i]; each R moves into the previous Right and W).
    /// The blocks the generators describe do not change; the GFMM decoders become pieces of orthonormal matrices and
    /// the encoders carry the factor's own magnitudes, so float32 rounding of the weights costs ε ‖F‖, not ε times the
    /// ill-conditioning of a skeleton basis (kernel columns are nearly parallel).
    /// </summary>
    public static void Orthonormalize(LowerGenerators g)
    {
        int m = g.M, p = g.P;
        double[] carried = []; // R_(i+1): r_(i+1) x r_(i+1), applied on the left of W_i and Right_i
        for (int i = m - 1; i >= 0; i--)
        {
            int r = g.Ranks[i], rNext = g.Ranks[i + 1];
            if (i < m - 1)
            {
                g.Transfer[i] = Multiply(carried, g.Transfer[i], rNext, rNext, r);
                g.Right[i] = Multiply(carried, g.Right[i], rNext, rNext, p);
            }

            var stacked = new double[(p + rNext) * r];
            g.Left[i].CopyTo(stacked, 0);
            g.Transfer[i].CopyTo(stacked, p * r);
            var (q, upper) = ThinQr(stacked, p + rNext, r);
            g.Left[i] = q[..(p * r)];
            g.Transfer[i] = q[(p * r)..];
            carried = upper;
        }
    }

    /// <summary>
    /// x = Q R for a row-major rows x columns matrix (columns ≤ rows): Gram–Schmidt applied twice per column, on the
    /// transpose so that every column is a contiguous span for the Level1 kernels.
    /// </summary>
    internal static (double[] Q, double[] R) ThinQr(double[] x, int rows, int columns)
    {
        var qt = Transpose(x, rows, columns); // row c is column c of Q
        var r = new double[columns * columns];
        for (int c = 0; c < columns; c++)
        {
            var column = qt.AsSpan(c * rows, rows);
            double original = Level1.Norm2<double>(column);
            for (int pass = 0; pass < 2; pass++)
            {
                for (int b = 0; b < c; b++)
                {
                    var previous = qt.AsSpan(b * rows, rows);
                    double dot = Level1.Dot<double>(previous, column);
                    r[(b * columns) + c] += dot;
                    Level1.Axpy(-dot, previous, column);
                }
            }

            double norm = Level1.Norm2<double>(column);
            // A column inside the span of the previous ones (to rounding) adds no direction: its Q column is zero.
            bool independent = norm > 1e-14 * original && norm > 0;
            r[(c * columns) + c] = independent ? norm : 0;
            if (independent) Level1.Scale(1 / norm, column);
            else column.Clear();
        }

        return (Transpose(qt, columns, rows), r);
    }

    /// <summary>
    /// The rows an interpolative decomposition sees: the next two leaves from <paramref name="from"/> in full (the nearest,
    /// largest interactions), then P rows at geometrically growing distances (the kernel's intermediate range, which
    /// uniform draws over a long future would miss), then RandomRowsPerP · P rows drawn at random from the rest.
    /// </summary>
    private static int[] SampleRows(int from, int n, int p, Random random)
    {
        int nearEnd = Math.Min(n, from + (2 * p));
        var rows = new SortedSet<int>();
        for (int row = from; row < nearEnd; row++) rows.Add(row);
        int rest = n - nearEnd;
        if (rest <= (RandomRowsPerP + 1) * p)
        {
            for (int row = nearEnd; row < n; row++) rows.Add(row);
            return [.. rows];
        }

        double ratio = Math.Pow(rest, 1.0 / p);
        for (int k = 1; k <= p; k++) rows.Add(nearEnd + Math.Min(rest - 1, (int)Math.Pow(ratio, k)));
        int target = rows.Count + (RandomRowsPerP * p);
        while (rows.Count < target) rows.Add(nearEnd + random.Next(rest));
        return [.. rows];
    }

    /// <summary>The transpose (columns x rows) of a row-major rows x columns matrix.</summary>
    internal static double[] Transpose(double[] x, int rows, int columns)
    {
        var t = new double[(long)rows * columns];
        Transpose(x, rows, columns, t);
        return t;
    }

    /// <summary>Writes the transpose of a row-major rows x columns matrix into <paramref name="destination"/>, in
    /// tiles of 16 x 16 so that both the reads and the writes stay within a few cache lines at any size.</summary>
    internal static void Transpose(ReadOnlySpan<double> x, int rows, int columns, Span<double> destination)
    {
        const int Tile = 16;
        for (int r0 = 0; r0 < rows; r0 += Tile)
        {
            int r1 = Math.Min(rows, r0 + Tile);
            for (int c0 = 0; c0 < columns; c0 += Tile)
            {
                int c1 = Math.Min(columns, c0 + Tile);
                for (int r = r0; r < r1; r++)
                {
                    for (int c = c0; c < c1; c++) destination[(int)(((long)c * rows) + r)] = x[(int)(((long)r * columns) + c)];
                }
            }
        }
    }

    /// <summary>Columns [from, from + count) of a row-major rows x columns matrix.</summary>
    private static double[] Columns(double[] x, int rows, int columns, int from, int count)
    {
        var result = new double[rows * count];
        for (int r = 0; r < rows; r++) x.AsSpan((r * columns) + from, count).CopyTo(result.AsSpan(r * count, count));
        return result;
    }

    /// <summary>x (r x k) · y (k x c).</summary>
    internal static double[] Multiply(double[] x, double[] y, int r, int k, int c)
    {
        var z = new double[r * c];
        if (r > 0 && k > 0 && c > 0) PackedGemm<double>.Multiply(x, y, z, r, k, c);
        return z;
    }

    /// <summary>x (r x k) · yᵀ with y (c x k).</summary>
    private static double[] MultiplyTransposed(double[] x, double[] y, int r, int k, int c)
    {
        var z = new double[r * c];
        AddProductTransposed(z, x, y, r, k, c);
        return z;
    }

    /// <summary>z (r x c) += x (r x k) · yᵀ with y (c x k).</summary>
    private static void AddProductTransposed(double[] z, double[] x, double[] y, int r, int k, int c)
    {
        for (int a = 0; a < r; a++)
        {
            var xa = x.AsSpan(a * k, k);
            for (int b = 0; b < c; b++) z[(a * c) + b] += Level1.Dot<double>(xa, y.AsSpan(b * k, k));
        }
    }

    /// <summary>z (r x c) −= x (r x k) · yᵀ with y (c x k).</summary>
    private static void SubtractProductTransposed(double[] z, double[] x, double[] y, int r, int k, int c)
    {
        for (int a = 0; a < r; a++)
        {
            var xa = x.AsSpan(a * k, k);
            for (int b = 0; b < c; b++) z[(a * c) + b] -= Level1.Dot<double>(xa, y.AsSpan(b * k, k));
        }
    }

    /// <summary>z (r x c) −= x (r x k) · y (k x c).</summary>
    private static void SubtractProduct(double[] z, double[] x, double[] y, int r, int k, int c)
    {
        if (r == 0 || k == 0 || c == 0) return;
        var product = Multiply(x, y, r, k, c);
        Level1.Subtract<double>(product, z);
    }

    /// <summary>Each of the <paramref name="rows"/> rows y of <paramref name="x"/> becomes y · Û⁻¹ (Û the upper part of the LU in <paramref name="lu"/>).</summary>
    private static void SolveRightUpper(double[] x, int rows, double[] lu, int p)
    {
        for (int row = 0; row < rows; row++)
        {
            var y = x.AsSpan(row * p, p);
            for (int c = 0; c < p; c++)
            {
                double value = y[c];
                for (int a = 0; a < c; a++) value -= y[a] * lu[(a * p) + c];
                y[c] = value / lu[(c * p) + c];
            }
        }
    }

    /// <summary>Each row y of <paramref name="x"/> becomes (G^L⁻¹ yᵀ)ᵀ with G^L = Πᵀ L̂: the interchanges, then the unit lower solve.</summary>
    private static void SolveLowerRows(double[] x, int rows, double[] lu, int[] pivots, int p)
    {
        for (int row = 0; row < rows; row++)
        {
            var y = x.AsSpan(row * p, p);
            for (int k = 0; k < p; k++)
            {
                if (pivots[k] != k) (y[k], y[pivots[k]]) = (y[pivots[k]], y[k]);
            }

            for (int c = 0; c < p; c++)
            {
                double value = y[c];
                for (int a = 0; a < c; a++) value -= lu[(c * p) + a] * y[a];
                y[c] = value;
            }
        }
    }
}
