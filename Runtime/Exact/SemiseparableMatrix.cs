using GenLu.Operators;
using GenLu.Solvers;

namespace GenLu.Exact;

/// <summary>
/// A matrix known by its entries, compressed into block semiseparable form (diagonal blocks plus lower and upper
/// generators, the construction-from-entries sweep at its own tolerance) and applied in O(N · P · r) without ever being
/// formed: the operator GMRES refines against when A is a kernel too large to hold (issue 13, "refinement at scale").
/// Its products are exact to the compression tolerance (default 1e-12 · max |A_ij| per sampled column), in double.
/// </summary>
public sealed class SemiseparableMatrix : ILinearOperator
{
    private readonly int n;
    private readonly int p;
    private readonly double scale;
    private readonly double[][] diagonal;
    private readonly LowerGenerators lower;
    private readonly LowerGenerators upperTransposed;

    private SemiseparableMatrix(int n, int p, double scale, double[][] diagonal, LowerGenerators lower, LowerGenerators upperTransposed)
    {
        this.n = n;
        this.p = p;
        this.scale = scale;
        this.diagonal = diagonal;
        this.lower = lower;
        this.upperTransposed = upperTransposed;
    }

    /// <inheritdoc />
    public int Order => n;

    /// <summary>The largest rank of the lower and of the upper generators.</summary>
    public (int Lower, int Upper) Ranks => (lower.Ranks.Max(), upperTransposed.Ranks.Max());

    /// <summary>
    /// Compresses <c>scale · A</c> for the entries <paramref name="a"/> over leaves of <paramref name="p"/> rows (the rank cap;
    /// any order: the last leaf is padded with the identity internally).
    /// </summary>
    public static SemiseparableMatrix Compress(IMatrixEntries a, int p = 32, double tolerance = ExactFactorization.DefaultTolerance, double scale = 1)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentOutOfRangeException.ThrowIfLessThan(p, 1);
        if (!double.IsFinite(tolerance) || tolerance < 0) throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "The tolerance must be finite and >= 0.");
        if (!double.IsFinite(scale) || scale <= 0) throw new ArgumentOutOfRangeException(nameof(scale), scale, "The scale must be finite and > 0.");
        int n = a.Order;
        int m = (int)(((long)n + p - 1) / p);
        var padded = MatrixEntries.PaddedWithIdentity(a, m * p);
        var diagonal = Semiseparable.DiagonalBlocks(padded, m, p);
        double threshold = tolerance * diagonal.Max(block => Kernels.Level1.MaxMagnitude<double>(block));
        var (lowerPart, _) = Semiseparable.Sweep(padded, m, p, threshold, ExactFactor.L, BasisSide.Column, seed: 1, null, CancellationToken.None);
        var upperPart = a.IsSymmetric
            ? lowerPart
            : Semiseparable.Sweep(MatrixEntries.Transposed(padded), m, p, threshold, ExactFactor.U, BasisSide.Row, seed: 2, null, CancellationToken.None).Generators;
        Semiseparable.Orthonormalize(lowerPart); // products in well-conditioned bases
        if (!ReferenceEquals(upperPart, lowerPart)) Semiseparable.Orthonormalize(upperPart);
        return new SemiseparableMatrix(n, p, scale, diagonal, lowerPart, upperPart);
    }

    /// <inheritdoc />
    public void Apply(ReadOnlySpan<double> x, Span<double> y) => Product(x, y, lower, upperTransposed, transposeDiagonal: false);

    /// <inheritdoc />
    public void ApplyTranspose(ReadOnlySpan<double> x, Span<double> y) => Product(x, y, upperTransposed, lower, transposeDiagonal: true);

    /// <summary>
    /// y = D x + (lower part) x + (upper part) x: a forward recurrence h_(i+1) = W_i h_i + Right_i x_i feeds y_i += Left_i h_i,
    /// a backward one b_(i−1) = Left'_iᵀ x_i + W'_iᵀ b_i (the transposed lower generators of Aᵀ) feeds y_i += Right'_iᵀ b_i.
    /// </summary>
    private void Product(ReadOnlySpan<double> x, Span<double> y, LowerGenerators below, LowerGenerators aboveTransposed, bool transposeDiagonal)
    {
        if (x.Length != n || y.Length != n) throw new ArgumentException($"The product needs vectors of length {n}, got {x.Length} and {y.Length}.");
        int m = below.M, order = m * p;
        // In place when N = M P; only an order not a multiple of P copies into a padded pair of vectors.
        ReadOnlySpan<double> input = x;
        Span<double> output = y;
        if (order != n)
        {
            var padded = new double[2 * order];
            x.CopyTo(padded);
            input = padded.AsSpan(0, order);
            output = padded.AsSpan(order, order);
        }

        Span<double> state = p <= 256 ? stackalloc double[p] : new double[p];
        Span<double> next = p <= 256 ? stackalloc double[p] : new double[p];
        for (int i = 0; i < m; i++)
        {
            var xi = input.Slice(i * p, p);
            var yi = output.Slice(i * p, p);
            var d = diagonal[i];
            for (int r = 0; r < p; r++)
            {
                double sum = 0;
                for (int c = 0; c < p; c++) sum += (transposeDiagonal ? d[(c * p) + r] : d[(r * p) + c]) * xi[c];
                yi[r] = sum;
            }

            int rank = below.Ranks[i], rankNext = below.Ranks[i + 1];
            MultiplyAdd(below.Left[i], p, rank, state, yi);
            if (i == m - 1) break;
            next[..rankNext].Clear();
            MultiplyAdd(below.Transfer[i], rankNext, rank, state, next);
            MultiplyAdd(below.Right[i], rankNext, p, xi, next);
            var swap = state;
            state = next;
            next = swap;
        }

        state.Clear(); // b_(M−1) = 0
        for (int i = m - 1; i >= 0; i--)
        {
            int rank = aboveTransposed.Ranks[i], rankNext = aboveTransposed.Ranks[i + 1];
            var yi = output.Slice(i * p, p);
            if (i < m - 1) MultiplyTransposedAdd(aboveTransposed.Right[i], rankNext, p, state, yi);
            if (i == 0) break;
            next[..rank].Clear();
            MultiplyTransposedAdd(aboveTransposed.Left[i], p, rank, input.Slice(i * p, p), next);
            if (i < m - 1) MultiplyTransposedAdd(aboveTransposed.Transfer[i], rankNext, rank, state, next);
            var swap = state;
            state = next;
            next = swap;
        }

        for (int i = 0; i < n; i++) y[i] = scale * output[i]; // y may be output itself: each entry is read before it is written
    }

    /// <summary>z += X v for the row-major rows x columns X.</summary>
    private static void MultiplyAdd(double[] x, int rows, int columns, ReadOnlySpan<double> v, Span<double> z)
    {
        for (int r = 0; r < rows; r++)
        {
            double sum = 0;
            for (int c = 0; c < columns; c++) sum += x[(r * columns) + c] * v[c];
            z[r] += sum;
        }
    }

    /// <summary>z += Xᵀ v for the row-major rows x columns X.</summary>
    private static void MultiplyTransposedAdd(double[] x, int rows, int columns, ReadOnlySpan<double> v, Span<double> z)
    {
        for (int r = 0; r < rows; r++)
        {
            double vr = v[r];
            if (vr == 0) continue;
            for (int c = 0; c < columns; c++) z[c] += x[(r * columns) + c] * vr;
        }
    }
}
