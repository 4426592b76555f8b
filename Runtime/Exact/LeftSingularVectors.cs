using GenLu.Kernels;

namespace GenLu.Exact;

/// <summary>
/// Left singular vectors and singular values of a short, wide matrix R (rows x cols, row-major), in double precision
/// and without forming R Rᵀ (which would square the condition number and lose singular values below ~1e-8 σ_max).
/// </summary>
/// <remarks>
/// When cols &gt; rows, a Householder QR of Rᵀ first reduces R to a rows x rows triangle T with R Rᵀ = Tᵀ T
/// (cost 2 cols rows²); then one-sided (Hestenes) Jacobi orthogonalises the columns of Tᵀ (or of R itself when it is
/// narrow): rotations X ← X J until every pair of columns is orthogonal to working precision, after which the columns
/// are U Σ. One-sided Jacobi computes small singular values to high relative accuracy.
/// </remarks>
internal static class LeftSingularVectors
{
    private const double Orthogonality = 1e-15;
    private const int MaxSweeps = 80;

    /// <summary>
    /// Returns k = min(rows, cols) singular values in descending order and the matching left singular vectors, stored as
    /// k contiguous vectors of length rows (vector j at <c>[j * rows, (j + 1) * rows)</c>); a vector for σ = 0 is zero.
    /// </summary>
    public static (double[] Vectors, double[] Sigma) Compute(ReadOnlySpan<double> r, int rows, int cols)
    {
        double[] columns;
        int count;
        if (cols > rows)
        {
            columns = TriangularFactorColumns(r, rows, cols);
            count = rows;
        }
        else
        {
            count = cols;
            columns = new double[rows * cols];
            for (int a = 0; a < rows; a++)
            {
                for (int c = 0; c < cols; c++)
                {
                    columns[(c * rows) + a] = r[(a * cols) + c];
                }
            }
        }

        Orthogonalise(columns, rows, count);
        var sigma = new double[count];
        for (int j = 0; j < count; j++)
        {
            var v = columns.AsSpan(j * rows, rows);
            sigma[j] = Math.Sqrt(Level1.Dot<double>(v, v));
            if (sigma[j] > 0)
            {
                for (int a = 0; a < rows; a++)
                {
                    v[a] /= sigma[j];
                }
            }
        }

        return SortDescending(columns, sigma, rows);
    }

    /// <summary>
    /// Householder QR of Rᵀ (cols x rows; its columns are the rows of R, contiguous) and the columns of Tᵀ for the
    /// triangular factor T: column k of Tᵀ is row k of T.
    /// </summary>
    private static double[] TriangularFactorColumns(ReadOnlySpan<double> r, int rows, int cols)
    {
        var q = r.ToArray();
        for (int k = 0; k < rows; k++)
        {
            var x = q.AsSpan((k * cols) + k, cols - k);
            double norm = Math.Sqrt(Level1.Dot<double>(x, x));
            if (norm == 0)
            {
                continue;
            }

            // Reflect x onto alpha e1 with v = x - alpha e1, alpha of opposite sign to x0 to avoid cancellation.
            double alpha = x[0] > 0 ? -norm : norm;
            x[0] -= alpha;
            double vv = Level1.Dot<double>(x, x);
            for (int j = k + 1; j < rows; j++)
            {
                var y = q.AsSpan((j * cols) + k, cols - k);
                Level1.Axpy(-2 * Level1.Dot<double>(x, y) / vv, x, y);
            }

            x[0] = alpha;
        }

        // T(k, j) = q[j][k] for k <= j; column k of Tᵀ holds T(k, j) at position j.
        var columns = new double[rows * rows];
        for (int k = 0; k < rows; k++)
        {
            for (int j = k; j < rows; j++)
            {
                columns[(k * rows) + j] = q[(j * cols) + k];
            }
        }

        return columns;
    }

    private static void Orthogonalise(double[] columns, int length, int count)
    {
        var norms = new double[count];
        for (int sweep = 0; sweep < MaxSweeps; sweep++)
        {
            // Squared norms are refreshed every sweep and updated exactly per rotation in between:
            // after the rotation below, |a'|² = α − tγ and |b'|² = β + tγ.
            for (int j = 0; j < count; j++)
            {
                var v = columns.AsSpan(j * length, length);
                norms[j] = Level1.Dot<double>(v, v);
            }

            bool rotated = false;
            for (int p = 0; p < count - 1; p++)
            {
                var a = columns.AsSpan(p * length, length);
                for (int q = p + 1; q < count; q++)
                {
                    double alpha = norms[p];
                    double beta = norms[q];
                    if (alpha == 0 || beta == 0)
                    {
                        continue;
                    }

                    var b = columns.AsSpan(q * length, length);
                    double gamma = Level1.Dot<double>(a, b);
                    if (Math.Abs(gamma) <= Orthogonality * Math.Sqrt(alpha * beta))
                    {
                        continue;
                    }

                    rotated = true;
                    double zeta = (beta - alpha) / (2 * gamma);
                    double t = Math.Abs(zeta) > 1e100
                        ? 0.5 / zeta
                        : (zeta >= 0 ? 1 : -1) / (Math.Abs(zeta) + Math.Sqrt(1 + (zeta * zeta)));
                    double c = 1 / Math.Sqrt(1 + (t * t));
                    Rotate(a, b, c, c * t);
                    norms[p] = alpha - (t * gamma);
                    norms[q] = beta + (t * gamma);
                }
            }

            if (!rotated)
            {
                return;
            }
        }
    }

    /// <summary>(a, b) ← (c a − s b, s a + c b).</summary>
    private static unsafe void Rotate(Span<double> a, Span<double> b, double c, double s)
    {
        fixed (double* x = a)
        fixed (double* y = b)
        {
            StridedLevel1<double>.Rotate(x, 1, y, 1, a.Length, c, s);
        }
    }

    private static (double[] Vectors, double[] Sigma) SortDescending(double[] columns, double[] sigma, int length)
    {
        var order = Enumerable.Range(0, sigma.Length).OrderByDescending(j => sigma[j]).ToArray();
        var vectors = new double[columns.Length];
        var sorted = new double[sigma.Length];
        for (int j = 0; j < order.Length; j++)
        {
            sorted[j] = sigma[order[j]];
            columns.AsSpan(order[j] * length, length).CopyTo(vectors.AsSpan(j * length, length));
        }

        return (vectors, sorted);
    }
}
