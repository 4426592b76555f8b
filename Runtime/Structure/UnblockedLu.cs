// Shared source: compiled into GenLu.Runtime (net10.0) and GenLu.Generator (netstandard2.0).
using System;

namespace GenLu.Structure;

/// <summary>
/// The unblocked LU with partial pivoting (LAPACK getf2 semantics) of one small dense n x n block, in double,
/// row-major, in place in an array at an offset: the diagonal blocks <c>G_i</c> of a GFMM factor (through
/// <see cref="DiagonalBlockFactors"/>) and the exact construction's Schur diagonal blocks. Large matrices belong
/// to the blocked, recursive <c>DenseLu</c>.
/// </summary>
internal static class UnblockedLu
{
    /// <summary>
    /// Factors the row-major n x n matrix at <paramref name="a"/>[offset…] in place: unit L strictly
    /// below the diagonal, U on and above. <paramref name="pivots"/>[pivotOffset + k] receives the row
    /// (zero-based) swapped with row k at step k. Returns 0, or the 1-based index of the first exactly
    /// zero pivot (the factorization still completes, as LAPACK's does). A non-finite entry makes the
    /// result non-finite.
    /// </summary>
    /// <exception cref="ArgumentException">The matrix or the pivots do not fit in their arrays.</exception>
    public static int Factor(double[] a, int offset, int n, int[] pivots, int pivotOffset)
    {
        if (a is null) throw new ArgumentNullException(nameof(a));
        if (pivots is null) throw new ArgumentNullException(nameof(pivots));
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "Order must be >= 0.");
        if (offset < 0 || (long)offset + (long)n * n > a.Length)
            throw new ArgumentException($"The {n} x {n} matrix at offset {offset} does not fit in an array of length {a.Length}.", nameof(a));
        if (pivotOffset < 0 || (long)pivotOffset + n > pivots.Length)
            throw new ArgumentException($"{n} pivots at offset {pivotOffset} do not fit in an array of length {pivots.Length}.", nameof(pivots));

        int info = 0;
        for (int k = 0; k < n; k++)
        {
            int pivotRow = k;
            double best = Math.Abs(a[offset + k * n + k]);
            for (int r = k + 1; r < n; r++)
            {
                double candidate = Math.Abs(a[offset + r * n + k]);
                if (candidate > best) { best = candidate; pivotRow = r; }
            }
            pivots[pivotOffset + k] = pivotRow;
            if (pivotRow != k)
                for (int c = 0; c < n; c++)
                {
                    double t = a[offset + k * n + c];
                    a[offset + k * n + c] = a[offset + pivotRow * n + c];
                    a[offset + pivotRow * n + c] = t;
                }

            double pivot = a[offset + k * n + k];
            if (pivot == 0)
            {
                if (info == 0) info = k + 1;
                continue;
            }
            for (int r = k + 1; r < n; r++)
            {
                double factor = a[offset + r * n + k] / pivot;
                a[offset + r * n + k] = factor;
                if (factor == 0) continue;
                for (int c = k + 1; c < n; c++) a[offset + r * n + c] -= factor * a[offset + k * n + c];
            }
        }
        return info;
    }
}
