using System.Numerics;

namespace GenLu.Kernels;

/// <summary>
/// Triangular solves against a triangle of a strided view (transposed solves pass
/// <see cref="StridedMatrix{T}.Transposed"/>):
/// <list type="bullet">
/// <item>one right-hand side (BLAS trsv): forward and back substitution, column-oriented (axpy) with contiguous
/// columns and row-oriented (dot) with contiguous rows, so both layouts read memory in order;</item>
/// <item>a block of right-hand sides (BLAS trsm, left side, lower triangle): recursive halving with the
/// off-diagonal updates in <see cref="PackedGemm{T}"/>, and small diagonal blocks applied as one GEMM too.</item>
/// </list>
/// </summary>
internal static unsafe class TriangularSolve<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Columns applied per pass over the solution in the column-oriented sweeps.</summary>
    private const int ColumnBlock = 4;

    /// <summary>x := L^-1 x for the lower triangle of t (its diagonal taken as 1 when unitDiagonal).</summary>
    public static void SolveLower(StridedMatrix<T> t, int n, bool unitDiagonal, T* x)
    {
        if (t.HasContiguousColumns)
        {
            int j = 0;
            for (; j + ColumnBlock <= n; j += ColumnBlock)
            {
                // Finish the 4 x 4 diagonal block, then update everything below it in one pass.
                for (int c = j; c < j + ColumnBlock; c++)
                {
                    if (!unitDiagonal)
                        x[c] /= *t.At(c, c);
                    for (int r = c + 1; r < j + ColumnBlock; r++)
                        x[r] -= x[c] * *t.At(r, c);
                }

                StridedLevel1<T>.Axpy4(-x[j], -x[j + 1], -x[j + 2], -x[j + 3], t.At(j + ColumnBlock, j), t.ColStride, x + j + ColumnBlock, n - j - ColumnBlock);
            }

            for (; j < n; j++)
            {
                if (!unitDiagonal)
                    x[j] /= *t.At(j, j);
                StridedLevel1<T>.Axpy(-x[j], t.At(j + 1, j), 1, x + j + 1, 1, n - j - 1);
            }
        }
        else
        {
            for (int i = 0; i < n; i++)
            {
                T value = x[i] - StridedLevel1<T>.Dot(t.At(i, 0), 1, x, 1, i);
                x[i] = unitDiagonal ? value : value / *t.At(i, i);
            }
        }
    }

    /// <summary>x := U^-1 x for the upper triangle of t (its diagonal taken as 1 when unitDiagonal).</summary>
    public static void SolveUpper(StridedMatrix<T> t, int n, bool unitDiagonal, T* x)
    {
        if (t.HasContiguousColumns)
        {
            int end = n;
            for (; end >= ColumnBlock; end -= ColumnBlock)
            {
                // Finish the 4 x 4 diagonal block ending at row end - 1, then update everything above it.
                int j = end - ColumnBlock;
                for (int c = end - 1; c >= j; c--)
                {
                    if (!unitDiagonal)
                        x[c] /= *t.At(c, c);
                    for (int r = j; r < c; r++)
                        x[r] -= x[c] * *t.At(r, c);
                }

                StridedLevel1<T>.Axpy4(-x[j], -x[j + 1], -x[j + 2], -x[j + 3], t.At(0, j), t.ColStride, x, j);
            }

            for (int j = end - 1; j >= 0; j--)
            {
                if (!unitDiagonal)
                    x[j] /= *t.At(j, j);
                StridedLevel1<T>.Axpy(-x[j], t.At(0, j), 1, x, 1, j);
            }
        }
        else
        {
            for (int i = n - 1; i >= 0; i--)
            {
                T value = x[i] - StridedLevel1<T>.Dot(t.At(i, i + 1), 1, x + i + 1, 1, n - i - 1);
                x[i] = unitDiagonal ? value : value / *t.At(i, i);
            }
        }
    }

    /// <summary>Triangular blocks of at most this order are applied as (I - L^-1) through one GEMM (must be &lt;= KC).</summary>
    private const int LeafOrder = 32;

    /// <summary>
    /// b[0..order, 0..cols] := L^-1 b for the lower triangle of l (its diagonal taken as 1 when unitDiagonal).
    /// Both layouts of b are allowed (see the aliasing contract of <see cref="PackedGemm{T}"/>).
    /// </summary>
    public static void SolveLowerInPlace(StridedMatrix<T> l, StridedMatrix<T> b, int order, int cols, bool unitDiagonal, GemmWorkspace<T> workspace)
    {
        if (order <= LeafOrder)
        {
            SolveLowerLeaf(l, b, order, cols, unitDiagonal, workspace);
            return;
        }

        int half = order / 2;
        var bottom = b.Slice(half, 0);
        SolveLowerInPlace(l, b, half, cols, unitDiagonal, workspace);
        PackedGemm<T>.SubtractProduct(bottom, l.Slice(half, 0), b, order - half, cols, half, workspace);
        SolveLowerInPlace(l.Slice(half, half), bottom, order - half, cols, unitDiagonal, workspace);
    }

    /// <summary>
    /// Small triangular solve as one GEMM: with W = I - L^-1, L^-1 b = b - W b. W costs order^3 / 6 flops;
    /// the product runs at GEMM speed instead of a short-vector substitution. b is both an operand and the
    /// destination, which <see cref="PackedGemm{T}"/> allows for order &lt;= KC.
    /// </summary>
    private static void SolveLowerLeaf(StridedMatrix<T> l, StridedMatrix<T> b, int order, int cols, bool unitDiagonal, GemmWorkspace<T> workspace)
    {
        T* w = stackalloc T[LeafOrder * LeafOrder];
        nint ldw = order;
        new Span<T>(w, order * order).Clear();
        if (unitDiagonal)
        {
            // W strictly lower: W[i, j] = L[i, j] - sum_{j < p < i} L[i, p] W[p, j]  (from L (I - W) = I).
            for (int j = 0; j < order; j++)
            {
                for (int i = j + 1; i < order; i++)
                {
                    T sum = *l.At(i, j);
                    for (int p = j + 1; p < i; p++)
                        sum -= *l.At(i, p) * w[p + j * ldw];
                    w[i + j * ldw] = sum;
                }
            }
        }
        else
        {
            // V = L^-1 column by column (V[j, j] = 1 / L[j, j], V[i, j] = -sum_{j <= p < i} L[i, p] V[p, j] / L[i, i]), then W = I - V.
            for (int j = 0; j < order; j++)
            {
                w[j + j * ldw] = T.One / *l.At(j, j);
                for (int i = j + 1; i < order; i++)
                {
                    T sum = T.Zero;
                    for (int p = j; p < i; p++)
                        sum += *l.At(i, p) * w[p + j * ldw];
                    w[i + j * ldw] = -sum / *l.At(i, i);
                }
            }

            for (int j = 0; j < order; j++)
            {
                for (int i = j; i < order; i++)
                    w[i + j * ldw] = (i == j ? T.One : T.Zero) - w[i + j * ldw];
            }
        }

        PackedGemm<T>.SubtractProduct(b, new StridedMatrix<T>(w, 1, ldw), b, order, cols, order, workspace);
    }
}
