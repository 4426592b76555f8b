using GenLu.Kernels;

namespace GenLu.Exact;

/// <summary>
/// A column interpolative decomposition <c>S ≈ S[:, J] Z</c> of a small dense matrix by Householder QR with column pivoting
/// (Businger–Golub): the k pivot columns J are the skeleton, <c>Z[:, J] = I</c> and <c>Z[:, rest] = R₁₁⁻¹ R₁₂</c>. The
/// factorization stops when the largest remaining column norm is at most the threshold or k reaches the rank cap; what it
/// leaves is exactly the residual <c>S − S[:, J] Z</c> (its column norms are the remaining ones).
/// </summary>
internal sealed class InterpolativeDecomposition
{
    private InterpolativeDecomposition(int[] skeleton, double[] interpolation, double largestDiscarded, double discardedFrobenius)
    {
        Skeleton = skeleton;
        Interpolation = interpolation;
        LargestDiscarded = largestDiscarded;
        DiscardedFrobenius = discardedFrobenius;
    }

    /// <summary>The skeleton columns, in pivot order.</summary>
    public int[] Skeleton { get; }

    public int Rank => Skeleton.Length;

    /// <summary>Z, Rank x columns, row-major.</summary>
    public double[] Interpolation { get; }

    /// <summary>The largest column norm of the residual.</summary>
    public double LargestDiscarded { get; }

    /// <summary>The Frobenius norm of the residual.</summary>
    public double DiscardedFrobenius { get; }

    /// <summary>Decomposes the column-major rows x columns matrix <paramref name="s"/> (overwritten).</summary>
    public static InterpolativeDecomposition Compute(double[] s, int rows, int columns, double threshold, int maxRank)
    {
        var order = new int[columns];
        var norms = new double[columns];
        var reference = new double[columns];
        for (int c = 0; c < columns; c++)
        {
            order[c] = c;
            norms[c] = Level1.Norm2<double>(s.AsSpan(c * rows, rows));
            reference[c] = norms[c];
        }

        int limit = Math.Min(Math.Min(rows, columns), maxRank);
        int k = 0;
        for (; k < limit; k++)
        {
            int best = k;
            for (int c = k + 1; c < columns; c++)
            {
                if (norms[c] > norms[best]) best = c;
            }

            if (!(norms[best] > threshold))
            {
                break;
            }

            Swap(s, rows, k, best, order, norms, reference);
            ReflectColumn(s, rows, columns, k);
            for (int c = k + 1; c < columns; c++)
            {
                // Downdate the remaining norm; recompute it when cancellation has eaten its digits.
                double r = s[(c * rows) + k];
                double left = (norms[c] * norms[c]) - (r * r);
                if (left > 1e-8 * reference[c] * reference[c])
                {
                    norms[c] = Math.Sqrt(left);
                }
                else
                {
                    norms[c] = Level1.Norm2<double>(s.AsSpan((c * rows) + k + 1, rows - k - 1));
                    reference[c] = norms[c];
                }
            }
        }

        double largest = 0, squares = 0;
        for (int c = k; c < columns; c++)
        {
            double residual = Level1.Norm2<double>(s.AsSpan((c * rows) + k, rows - k));
            largest = Math.Max(largest, residual);
            squares += residual * residual;
        }

        // Z[:, order[j]] = column j of [I, R11⁻¹ R12]: back substitution with the k x k upper triangle R11.
        var z = new double[k * columns];
        for (int j = 0; j < columns; j++)
        {
            int target = order[j];
            if (j < k)
            {
                z[(j * columns) + target] = 1;
                continue;
            }

            for (int a = k - 1; a >= 0; a--)
            {
                double value = s[(j * rows) + a];
                for (int b = a + 1; b < k; b++)
                {
                    value -= s[(b * rows) + a] * z[(b * columns) + target];
                }

                z[(a * columns) + target] = value / s[(a * rows) + a];
            }
        }

        return new InterpolativeDecomposition(order[..k], z, largest, Math.Sqrt(squares));
    }

    private static void Swap(double[] s, int rows, int a, int b, int[] order, double[] norms, double[] reference)
    {
        if (a == b) return;
        for (int r = 0; r < rows; r++)
        {
            (s[(a * rows) + r], s[(b * rows) + r]) = (s[(b * rows) + r], s[(a * rows) + r]);
        }

        (order[a], order[b]) = (order[b], order[a]);
        (norms[a], norms[b]) = (norms[b], norms[a]);
        (reference[a], reference[b]) = (reference[b], reference[a]);
    }

    /// <summary>
    /// The Householder reflection that zeroes column k below row k, applied to columns k .. end; R's entry (k, k) is left
    /// on the diagonal (sign chosen against cancellation).
    /// </summary>
    private static void ReflectColumn(double[] s, int rows, int columns, int k)
    {
        var x = s.AsSpan((k * rows) + k, rows - k);
        double alpha = Level1.Norm2<double>(x);
        if (alpha == 0) return;
        if (x[0] > 0) alpha = -alpha;
        // v = x − alpha e₁, H = I − 2 v vᵀ / vᵀv; stored in x with the diagonal replaced at the end.
        double v0 = x[0] - alpha;
        double vv = (v0 * v0) + ((alpha * alpha) - (x[0] * x[0]));
        x[0] = v0;
        for (int c = k + 1; c < columns; c++)
        {
            var y = s.AsSpan((c * rows) + k, rows - k);
            Level1.Axpy(-2 * Level1.Dot<double>(x, y) / vv, x, y);
        }

        x[0] = alpha;
        x[1..].Clear();
    }
}
