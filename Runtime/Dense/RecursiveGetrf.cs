using System.Numerics;
using GenLu.Kernels;

namespace GenLu.Dense;

/// <summary>
/// The getrf kernel behind <see cref="DenseLu"/>: LU with partial pivoting by recursive column splitting (Toledo 1997; LAPACK's getrf2): factor the left
/// half, swap and triangular-solve the right half, update the trailing block with one large GEMM, factor
/// it, then swap the left half. Almost all flops land in <see cref="PackedGemm{T}"/>. Works on any
/// <see cref="StridedMatrix{T}"/>, so row-major input is pivoted by rows exactly like column-major input.
/// </summary>
internal static unsafe class RecursiveGetrf<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Panels with at most this many pivots are factored column by column.</summary>
    public const int LeafPivots = 8;

    /// <summary>
    /// Factors the m x n view in place. pivots[i] (zero-based, relative to the view) receives the row
    /// exchanged with row i at step i, for i &lt; min(m, n). Returns 0 or the 1-based index of the first
    /// exactly zero pivot.
    /// </summary>
    public static int Factor(StridedMatrix<T> a, int m, int n, int* pivots, GemmWorkspace<T> workspace)
    {
        int pivotCount = Math.Min(m, n);
        if (pivotCount <= LeafPivots)
        {
            return a.HasContiguousColumns || workspace.PackedB == null || (long)m * n > PackedGemm<T>.PackedBLength
                ? FactorUnblocked(a, m, n, pivots)
                : FactorUnblockedInColumnMajorCopy(a, m, n, pivots, workspace.PackedB);
        }

        int n1 = pivotCount / 2;
        int n2 = n - n1;
        var right = a.Slice(0, n1);
        var trailing = a.Slice(n1, n1);

        int info = Factor(a, m, n1, pivots, workspace);
        ApplyRowExchanges(right, n2, pivots, 0, n1);
        TriangularSolve<T>.SolveLowerInPlace(a, right, n1, n2, unitDiagonal: true, workspace);
        PackedGemm<T>.SubtractProduct(trailing, a.Slice(n1, 0), right, m - n1, n2, n1, workspace);

        int trailingInfo = Factor(trailing, m - n1, n2, pivots + n1, workspace);
        if (info == 0 && trailingInfo != 0)
            info = trailingInfo + n1;
        for (int i = n1; i < pivotCount; i++)
            pivots[i] += n1;
        ApplyRowExchanges(a, n1, pivots, n1, pivotCount);
        return info;
    }

    /// <summary>Only needs packing buffers when the recursion reaches a GEMM.</summary>
    public static bool NeedsWorkspace(int m, int n) => Math.Min(m, n) > LeafPivots;

    /// <summary>
    /// A row-major panel is a column of short rows ld apart; with a power-of-two ld they all map to the
    /// same cache sets and every pivot sweep misses. Factoring a contiguous column-major copy (in the
    /// idle packing buffer) and copying back reads each row once.
    /// </summary>
    private static int FactorUnblockedInColumnMajorCopy(StridedMatrix<T> a, int m, int n, int* pivots, T* buffer)
    {
        var copy = new StridedMatrix<T>(buffer, 1, m);
        CopyBlock(a, copy, m, n);
        int info = FactorUnblocked(copy, m, n, pivots);
        CopyBlock(copy, a, m, n);
        return info;
    }

    private static void CopyBlock(StridedMatrix<T> source, StridedMatrix<T> destination, int m, int n)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
                *destination.At(i, j) = *source.At(i, j);
        }
    }

    /// <summary>LAPACK getf2: right-looking, one pivot column at a time.</summary>
    private static int FactorUnblocked(StridedMatrix<T> a, int m, int n, int* pivots)
    {
        int info = 0;
        int pivotCount = Math.Min(m, n);
        for (int j = 0; j < pivotCount; j++)
        {
            int p = j + (int)StridedLevel1<T>.IndexOfMaxMagnitude(a.At(j, j), a.RowStride, m - j);
            pivots[j] = p;
            T pivot = *a.At(p, j);
            if (pivot != T.Zero)
            {
                if (p != j)
                    StridedLevel1<T>.Swap(a.At(j, 0), a.ColStride, a.At(p, 0), a.ColStride, n);
                T reciprocal = T.One / pivot;
                if (T.IsFinite(reciprocal))
                    StridedLevel1<T>.Scale(reciprocal, a.At(j + 1, j), a.RowStride, m - j - 1);
                else
                    StridedLevel1<T>.Divide(pivot, a.At(j + 1, j), a.RowStride, m - j - 1);
            }
            else if (info == 0)
            {
                info = j + 1;
            }

            SubtractOuterProduct(a.Slice(j + 1, j + 1), a.At(j + 1, j), a.At(j, j + 1), m - j - 1, n - j - 1);
        }

        return info;
    }

    /// <summary>
    /// c[0..rows, 0..cols] -= column * row, where column steps by c.RowStride and row by c.ColStride
    /// (both are lines of the same matrix); swept along whichever direction is contiguous.
    /// </summary>
    private static void SubtractOuterProduct(StridedMatrix<T> c, T* column, T* row, int rows, int cols)
    {
        if (c.HasContiguousColumns)
        {
            for (int j = 0; j < cols; j++)
            {
                T factor = row[j * c.ColStride];
                if (factor != T.Zero)
                    StridedLevel1<T>.Axpy(-factor, column, 1, c.At(0, j), 1, rows);
            }
        }
        else
        {
            for (int i = 0; i < rows; i++)
            {
                T factor = column[i * c.RowStride];
                if (factor != T.Zero)
                    StridedLevel1<T>.Axpy(-factor, row, 1, c.At(i, 0), 1, cols);
            }
        }
    }

    /// <summary>LAPACK laswp: for i in [from, to) exchange rows i and pivots[i] of the first cols columns.</summary>
    public static void ApplyRowExchanges(StridedMatrix<T> a, int cols, int* pivots, int from, int to)
    {
        if (a.HasContiguousColumns)
        {
            // Column by column so each column is walked once while it is in cache.
            for (int j = 0; j < cols; j++)
            {
                T* column = a.At(0, j);
                for (int i = from; i < to; i++)
                {
                    int p = pivots[i];
                    if (p != i)
                        (column[i], column[p]) = (column[p], column[i]);
                }
            }
        }
        else
        {
            for (int i = from; i < to; i++)
            {
                int p = pivots[i];
                if (p != i)
                    StridedLevel1<T>.Swap(a.At(i, 0), 1, a.At(p, 0), 1, cols);
            }
        }
    }
}
