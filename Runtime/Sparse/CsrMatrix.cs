using GenLu.Kernels;
using GenLu.IO;
using GenLu.Solvers;

namespace GenLu.Sparse;

/// <summary>
/// An immutable real sparse matrix in compressed sparse row form: the entries of row <c>i</c> are
/// <c>Values[RowPointers[i] .. RowPointers[i + 1]]</c> at columns <c>ColumnIndices[...]</c>, strictly increasing
/// within a row. Explicitly stored zeros count as entries (they are part of the structure). A square matrix is an
/// <see cref="ILinearOperator"/> whose products cost O(<see cref="NonZeroCount"/>) and allocate nothing.
/// Build one from coordinate triplets with <see cref="CsrBuilder"/> or read one with
/// <see cref="MatrixMarket.ReadSparse(string)"/>.
/// </summary>
public sealed class CsrMatrix : ILinearOperator, IAccurateResidual
{
    /// <summary>
    /// The largest number of rows or columns: the row pointers take 4 bytes per row whatever the file holds, so a
    /// tiny file declaring a huge order must not cost more than this bound (2²⁶ rows: 256 MiB of row pointers).
    /// </summary>
    public const int MaxDimension = 1 << 26;

    /// <summary>
    /// The largest <c>Rows · Columns</c> that <see cref="ToDense"/> forms: 2²⁸ doubles (2 GiB, order 16,384).
    /// Larger matrices are used through their sparse products only.
    /// </summary>
    public const long MaxDenseElementCount = 1L << 28;

    private readonly int[] rowPointers;
    private readonly int[] columnIndices;
    private readonly double[] values;

    /// <summary>
    /// Copies and validates a CSR matrix given by its arrays: <paramref name="rowPointers"/> has
    /// <paramref name="rows"/> + 1 non-decreasing entries from 0 to the entry count; the column indices of each row are
    /// strictly increasing and in <c>[0, columns)</c>; every value is finite.
    /// </summary>
    /// <exception cref="ArgumentException">The arrays do not describe such a matrix.</exception>
    public CsrMatrix(int rows, int columns, ReadOnlySpan<int> rowPointers, ReadOnlySpan<int> columnIndices, ReadOnlySpan<double> values)
        : this(rows, columns, ValidatedCopy(rows, columns, rowPointers, columnIndices, values))
    {
    }

    /// <summary>Wraps arrays that are valid CSR (checked, or built so); not copied.</summary>
    private CsrMatrix(int rows, int columns, (int[] RowPointers, int[] ColumnIndices, double[] Values) arrays)
    {
        Rows = rows;
        Columns = columns;
        (rowPointers, columnIndices, values) = arrays;
        (LowerBandwidth, UpperBandwidth) = MeasureBandwidths();
    }

    /// <summary>The number of rows.</summary>
    public int Rows { get; }

    /// <summary>The number of columns.</summary>
    public int Columns { get; }

    /// <summary>The order of a square matrix, as <see cref="ILinearOperator"/> needs it.</summary>
    /// <exception cref="InvalidOperationException">The matrix is not square.</exception>
    public int Order => Rows == Columns
        ? Rows
        : throw new InvalidOperationException($"A {Rows} x {Columns} sparse matrix is not square, so it has no order and is not a linear operator on one space.");

    /// <summary>The number of stored entries (explicit zeros included).</summary>
    public int NonZeroCount => values.Length;

    /// <summary>The largest <c>i − j</c> over stored entries (i, j) below the diagonal; 0 when there are none.</summary>
    public int LowerBandwidth { get; }

    /// <summary>The largest <c>j − i</c> over stored entries (i, j) above the diagonal; 0 when there are none.</summary>
    public int UpperBandwidth { get; }

    /// <summary>Where each row starts in <see cref="ColumnIndices"/> and <see cref="Values"/>; <see cref="Rows"/> + 1 entries.</summary>
    public ReadOnlySpan<int> RowPointers => rowPointers;

    /// <summary>The column of every stored entry, row by row, increasing within a row.</summary>
    public ReadOnlySpan<int> ColumnIndices => columnIndices;

    /// <summary>The value of every stored entry, in the order of <see cref="ColumnIndices"/>.</summary>
    public ReadOnlySpan<double> Values => values;

    /// <summary>The columns of the entries stored in <paramref name="row"/>, increasing.</summary>
    public ReadOnlySpan<int> RowColumns(int row) => columnIndices.AsSpan(RowStart(row), RowLength(row));

    /// <summary>The values of the entries stored in <paramref name="row"/>, in the order of <see cref="RowColumns"/>.</summary>
    public ReadOnlySpan<double> RowValues(int row) => values.AsSpan(RowStart(row), RowLength(row));

    /// <summary>Entry (<paramref name="row"/>, <paramref name="column"/>), zero when it is not stored (a binary search in the row).</summary>
    public double this[int row, int column]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(column);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(column, Columns);
            int at = RowColumns(row).BinarySearch(column);
            return at >= 0 ? values[rowPointers[row] + at] : 0;
        }
    }

    /// <summary>Whether a <paramref name="rows"/> x <paramref name="columns"/> matrix is small enough for <see cref="ToDense"/> (64-bit product).</summary>
    public static bool CanDensify(long rows, long columns) =>
        rows > 0 && columns > 0 && rows <= int.MaxValue && columns <= int.MaxValue && rows * columns <= MaxDenseElementCount;

    /// <summary>
    /// <c>y = A x</c>: x has length <see cref="Columns"/>, y has length <see cref="Rows"/> (both <see cref="Order"/> for a
    /// square matrix), and they do not overlap.
    /// </summary>
    public void Apply(ReadOnlySpan<double> x, Span<double> y)
    {
        CheckProductSpans(x, y, Columns, Rows);
        for (int i = 0; i < Rows; i++)
        {
            double sum = 0;
            int end = rowPointers[i + 1];
            for (int k = rowPointers[i]; k < end; k++)
            {
                sum += values[k] * x[columnIndices[k]];
            }

            y[i] = sum;
        }
    }

    /// <summary><c>r = b − A x</c> accumulated as if in twice double precision, rounded once (<see cref="IAccurateResidual"/>).</summary>
    /// <exception cref="InvalidOperationException">The matrix is not square.</exception>
    public void Residual(ReadOnlySpan<double> b, ReadOnlySpan<double> x, Span<double> r)
    {
        if (Rows != Columns) throw new InvalidOperationException($"A residual needs a square matrix; this one is {Rows} x {Columns}.");
        LinearOperator.CheckResidualSpans(Rows, b, x, r);
        for (int i = 0; i < Rows; i++)
        {
            var sum = new CompensatedSum(b[i]);
            int end = rowPointers[i + 1];
            for (int k = rowPointers[i]; k < end; k++) sum.AddProduct(-values[k], x[columnIndices[k]]);
            r[i] = sum.Value;
        }
    }

    /// <summary>
    /// <c>y = Aᵀ x</c> from the rows of A (the transpose is never formed): x has length <see cref="Rows"/>, y has length
    /// <see cref="Columns"/>, and they do not overlap.
    /// </summary>
    public void ApplyTranspose(ReadOnlySpan<double> x, Span<double> y)
    {
        CheckProductSpans(x, y, Rows, Columns);
        y.Clear();
        for (int i = 0; i < Rows; i++)
        {
            double xi = x[i];
            int end = rowPointers[i + 1];
            for (int k = rowPointers[i]; k < end; k++)
            {
                y[columnIndices[k]] += values[k] * xi;
            }
        }
    }

    /// <summary>The matrix as a dense row-major one, allocated only on this request.</summary>
    /// <exception cref="InvalidOperationException"><c>Rows · Columns</c> exceeds <see cref="MaxDenseElementCount"/>.</exception>
    public DenseMatrix ToDense()
    {
        if (!CanDensify(Rows, Columns))
        {
            throw new InvalidOperationException(
                $"A {Rows} x {Columns} matrix has {(long)Rows * Columns:N0} entries, more than the {MaxDenseElementCount:N0} (2 GiB) a dense copy may hold; use its sparse products instead.");
        }

        var dense = new double[(long)Rows * Columns];
        for (int i = 0; i < Rows; i++)
        {
            for (int k = rowPointers[i]; k < rowPointers[i + 1]; k++)
            {
                dense[((long)i * Columns) + columnIndices[k]] = values[k];
            }
        }

        return new DenseMatrix(Rows, Columns, dense);
    }

    /// <summary>Wraps arrays built by <see cref="CsrBuilder"/>, which are valid by construction.</summary>
    internal static CsrMatrix FromValidArrays(int rows, int columns, int[] rowPointers, int[] columnIndices, double[] values) =>
        new(rows, columns, (rowPointers, columnIndices, values));

    internal static void CheckDimension(long size, string name)
    {
        if (size < 1 || size > MaxDimension)
        {
            throw new ArgumentOutOfRangeException(name, size, $"A sparse matrix dimension must be in 1..{MaxDimension:N0} (its row pointers take 4 bytes per row).");
        }
    }

    private static void CheckProductSpans(ReadOnlySpan<double> x, Span<double> y, int xLength, int yLength)
    {
        if (x.Length != xLength || y.Length != yLength)
        {
            throw new ArgumentException($"The product needs x of length {xLength} and y of length {yLength}, got {x.Length} and {y.Length}.");
        }

        if (x.Overlaps(y))
        {
            throw new ArgumentException("x and y overlap; the product needs separate input and output vectors.");
        }
    }

    private int RowStart(int row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Rows);
        return rowPointers[row];
    }

    private int RowLength(int row) => rowPointers[row + 1] - rowPointers[row];

    private (int Lower, int Upper) MeasureBandwidths()
    {
        int lower = 0, upper = 0;
        for (int i = 0; i < Rows; i++)
        {
            int start = rowPointers[i], end = rowPointers[i + 1];
            if (start < end)
            {
                // Columns increase within a row: the first and last entries are the extreme ones.
                lower = Math.Max(lower, i - columnIndices[start]);
                upper = Math.Max(upper, columnIndices[end - 1] - i);
            }
        }

        return (lower, upper);
    }

    private static (int[], int[], double[]) ValidatedCopy(
        int rows, int columns, ReadOnlySpan<int> rowPointers, ReadOnlySpan<int> columnIndices, ReadOnlySpan<double> values)
    {
        CheckDimension(rows, nameof(rows));
        CheckDimension(columns, nameof(columns));
        if (rowPointers.Length != rows + 1)
        {
            throw new ArgumentException($"A {rows}-row CSR matrix needs {rows + 1} row pointers, got {rowPointers.Length}.", nameof(rowPointers));
        }

        if (columnIndices.Length != values.Length)
        {
            throw new ArgumentException($"There are {columnIndices.Length} column indices but {values.Length} values.", nameof(values));
        }

        if (rowPointers[0] != 0 || rowPointers[rows] != values.Length)
        {
            throw new ArgumentException($"The row pointers must run from 0 to the entry count {values.Length}, got {rowPointers[0]} .. {rowPointers[rows]}.", nameof(rowPointers));
        }

        // Non-decreasing from 0 to the entry count keeps every row inside the arrays.
        for (int i = 0; i < rows; i++)
        {
            if (rowPointers[i + 1] < rowPointers[i])
            {
                throw new ArgumentException($"The row pointers decrease at row {i}.", nameof(rowPointers));
            }
        }

        for (int i = 0; i < rows; i++)
        {
            for (int k = rowPointers[i]; k < rowPointers[i + 1]; k++)
            {
                int column = columnIndices[k];
                if (column < 0 || column >= columns)
                {
                    throw new ArgumentException($"Row {i} has column index {column}, outside 0..{columns - 1}.", nameof(columnIndices));
                }

                if (k > rowPointers[i] && column <= columnIndices[k - 1])
                {
                    throw new ArgumentException($"The column indices of row {i} are not strictly increasing ({columnIndices[k - 1]} then {column}).", nameof(columnIndices));
                }

                if (!double.IsFinite(values[k]))
                {
                    throw new ArgumentException($"Entry ({i}, {column}) is {values[k]}; a sparse matrix holds finite values only.", nameof(values));
                }
            }
        }

        return (rowPointers.ToArray(), columnIndices.ToArray(), values.ToArray());
    }
}
