using GenLu.Dense;

namespace GenLu.Kernels;

/// <summary>
/// A pointer view of a dense matrix with a row stride and a column stride, so one kernel serves both
/// layouts: column-major has <c>RowStride == 1</c>, row-major has <c>ColStride == 1</c>, and
/// <see cref="Transposed"/> swaps the two without touching memory. The caller keeps the memory pinned.
/// </summary>
internal readonly unsafe struct StridedMatrix<T>
    where T : unmanaged
{
    public StridedMatrix(T* origin, nint rowStride, nint colStride)
    {
        Origin = origin;
        RowStride = rowStride;
        ColStride = colStride;
    }

    public static StridedMatrix<T> Create(T* origin, int leadingDimension, MatrixLayout layout) =>
        layout == MatrixLayout.ColumnMajor
            ? new StridedMatrix<T>(origin, 1, leadingDimension)
            : new StridedMatrix<T>(origin, leadingDimension, 1);

    public T* Origin { get; }

    public nint RowStride { get; }

    public nint ColStride { get; }

    /// <summary>True when each column is contiguous (a row-major view with one column also counts).</summary>
    public bool HasContiguousColumns => RowStride == 1;

    public StridedMatrix<T> Transposed => new(Origin, ColStride, RowStride);

    public T* At(nint row, nint col) => Origin + row * RowStride + col * ColStride;

    public StridedMatrix<T> Slice(nint row, nint col) => new(At(row, col), RowStride, ColStride);
}
