namespace GenLu.Dense;

/// <summary>How a dense matrix is laid out in its span.</summary>
public enum MatrixLayout
{
    /// <summary>Element (i, j) is at <c>i * leadingDimension + j</c>; rows are contiguous (C order).</summary>
    RowMajor,

    /// <summary>Element (i, j) is at <c>i + j * leadingDimension</c>; columns are contiguous (Fortran / LAPACK order).</summary>
    ColumnMajor,
}
