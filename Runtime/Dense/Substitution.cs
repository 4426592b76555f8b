using System.Numerics;

namespace GenLu.Dense;

/// <summary>
/// Forward and back substitution of one right-hand side against a triangle of a strided view. With
/// contiguous columns the sweep is column-oriented (axpy), with contiguous rows it is row-oriented (dot),
/// so both layouts read memory in order. Transposed solves pass <see cref="StridedMatrix{T}.Transposed"/>.
/// </summary>
internal static unsafe class Substitution<T>
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

                VectorOps<T>.Axpy4(-x[j], -x[j + 1], -x[j + 2], -x[j + 3], t.At(j + ColumnBlock, j), t.ColStride, x + j + ColumnBlock, n - j - ColumnBlock);
            }

            for (; j < n; j++)
            {
                if (!unitDiagonal)
                    x[j] /= *t.At(j, j);
                VectorOps<T>.Axpy(-x[j], t.At(j + 1, j), 1, x + j + 1, 1, n - j - 1);
            }
        }
        else
        {
            for (int i = 0; i < n; i++)
            {
                T value = x[i] - VectorOps<T>.Dot(t.At(i, 0), 1, x, 1, i);
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

                VectorOps<T>.Axpy4(-x[j], -x[j + 1], -x[j + 2], -x[j + 3], t.At(0, j), t.ColStride, x, j);
            }

            for (int j = end - 1; j >= 0; j--)
            {
                if (!unitDiagonal)
                    x[j] /= *t.At(j, j);
                VectorOps<T>.Axpy(-x[j], t.At(0, j), 1, x, 1, j);
            }
        }
        else
        {
            for (int i = n - 1; i >= 0; i--)
            {
                T value = x[i] - VectorOps<T>.Dot(t.At(i, i + 1), 1, x + i + 1, 1, n - i - 1);
                x[i] = unitDiagonal ? value : value / *t.At(i, i);
            }
        }
    }
}
