using System.Numerics;

namespace GenLu;

/// <summary>
/// Forward and back substitution of one right-hand side against a triangle of a strided view. With
/// contiguous columns the sweep is column-oriented (axpy), with contiguous rows it is row-oriented (dot),
/// so both layouts read memory in order. Transposed solves pass <see cref="StridedMatrix{T}.Transposed"/>.
/// </summary>
internal static unsafe class Substitution<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>x := L^-1 x for the lower triangle of t (its diagonal taken as 1 when unitDiagonal).</summary>
    public static void SolveLower(StridedMatrix<T> t, int n, bool unitDiagonal, T* x)
    {
        if (t.HasContiguousColumns)
        {
            for (int j = 0; j < n; j++)
            {
                if (!unitDiagonal)
                    x[j] /= *t.At(j, j);
                if (x[j] != T.Zero)
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
            for (int j = n - 1; j >= 0; j--)
            {
                if (!unitDiagonal)
                    x[j] /= *t.At(j, j);
                if (x[j] != T.Zero)
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
