namespace GenLu.IO;

/// <summary>How a Matrix Market file lists its entries.</summary>
public enum MatrixMarketFormat
{
    /// <summary><c>row col [value]</c> lines for the stored entries, 1-based (a sparse matrix).</summary>
    Coordinate,

    /// <summary>Every value column by column (a dense matrix).</summary>
    Array,
}

/// <summary>The type of the values of a Matrix Market file.</summary>
public enum MatrixMarketField
{
    /// <summary>Real numbers.</summary>
    Real,

    /// <summary>Integers, read as doubles.</summary>
    Integer,

    /// <summary>No values: every listed entry is 1 (coordinate format only).</summary>
    Pattern,
}

/// <summary>Which part of the matrix a Matrix Market file stores.</summary>
public enum MatrixMarketSymmetry
{
    /// <summary>Every entry.</summary>
    General,

    /// <summary>The lower triangle (i ≥ j); entry (j, i) equals entry (i, j).</summary>
    Symmetric,

    /// <summary>The strict lower triangle (i &gt; j); entry (j, i) is −(i, j) and the diagonal is zero.</summary>
    SkewSymmetric,
}

/// <summary>
/// The banner and size line of a Matrix Market file, validated against the file's length before any entry is read.
/// </summary>
/// <param name="Format">Coordinate (sparse) or array (dense).</param>
/// <param name="Field">The type of the values.</param>
/// <param name="Symmetry">Which part of the matrix is stored.</param>
/// <param name="Rows">The number of rows.</param>
/// <param name="Columns">The number of columns.</param>
/// <param name="Entries">The number of entry lines that follow: the size line's count (coordinate) or the number of
/// values the symmetry stores (array).</param>
public sealed record MatrixMarketHeader(
    MatrixMarketFormat Format, MatrixMarketField Field, MatrixMarketSymmetry Symmetry, int Rows, int Columns, long Entries);
