using GenLu.IO;

namespace GenLu.Sparse;

/// <summary>
/// Collects coordinate triplets (row, column, value) in any order and builds a <see cref="CsrMatrix"/>: columns sorted
/// within each row, duplicates summed in the order they were added (so the result is deterministic). Memory is
/// O(entries + rows): the triplets as added, then the CSR arrays.
/// </summary>
public sealed class CsrBuilder
{
    private readonly GrowableArray<int> rowOf;
    private readonly GrowableArray<int> columnOf;
    private readonly GrowableArray<double> valueOf;

    /// <summary>A builder of a <paramref name="rows"/> x <paramref name="columns"/> matrix with room for <paramref name="capacity"/> triplets before it grows.</summary>
    public CsrBuilder(int rows, int columns, int capacity = 0)
    {
        CsrMatrix.CheckDimension(rows, nameof(rows));
        CsrMatrix.CheckDimension(columns, nameof(columns));
        Rows = rows;
        Columns = columns;
        rowOf = new GrowableArray<int>(capacity, Array.MaxLength);
        columnOf = new GrowableArray<int>(capacity, Array.MaxLength);
        valueOf = new GrowableArray<double>(capacity, Array.MaxLength);
    }

    /// <summary>The number of rows of the matrix being built.</summary>
    public int Rows { get; }

    /// <summary>The number of columns of the matrix being built.</summary>
    public int Columns { get; }

    /// <summary>The number of triplets added so far (duplicates counted separately).</summary>
    public int Count => valueOf.Count;

    /// <summary>Adds <paramref name="value"/> at (<paramref name="row"/>, <paramref name="column"/>), 0-based; added to any earlier value there.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The position is outside the matrix.</exception>
    /// <exception cref="ArgumentException">The value is NaN or infinite.</exception>
    public void Add(int row, int column, double value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Rows);
        ArgumentOutOfRangeException.ThrowIfNegative(column);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(column, Columns);
        if (!double.IsFinite(value))
        {
            throw new ArgumentException($"The value at ({row}, {column}) is {value}; a sparse matrix holds finite values only.", nameof(value));
        }

        rowOf.Add(row);
        columnOf.Add(column);
        valueOf.Add(value);
    }

    /// <summary>The CSR matrix of the triplets added so far; the builder stays usable.</summary>
    /// <exception cref="OverflowException">Duplicates at one position sum to an infinity.</exception>
    public CsrMatrix Build()
    {
        var rowPointers = new int[Rows + 1];
        var columns = new int[Count];
        var values = new double[Count];
        ScatterByRow(rowPointers, columns, values);
        int stored = SortRowsAndSumDuplicates(rowPointers, columns, values);
        if (stored < Count)
        {
            Array.Resize(ref columns, stored);
            Array.Resize(ref values, stored);
        }

        return CsrMatrix.FromValidArrays(Rows, Columns, rowPointers, columns, values);
    }

    /// <summary>A counting sort of the triplets by row, stable, so each row keeps the order the entries were added in.</summary>
    private void ScatterByRow(int[] rowPointers, int[] columns, double[] values)
    {
        var rows = rowOf.AsSpan();
        foreach (int row in rows)
        {
            rowPointers[row + 1]++;
        }

        for (int i = 0; i < Rows; i++)
        {
            rowPointers[i + 1] += rowPointers[i];
        }

        // Fill each row from its start; afterwards rowPointers[i] is where row i ends, so shift back by one row.
        var addedColumns = columnOf.AsSpan();
        var addedValues = valueOf.AsSpan();
        for (int k = 0; k < rows.Length; k++)
        {
            int at = rowPointers[rows[k]]++;
            columns[at] = addedColumns[k];
            values[at] = addedValues[k];
        }

        for (int i = Rows; i > 0; i--)
        {
            rowPointers[i] = rowPointers[i - 1];
        }

        rowPointers[0] = 0;
    }

    /// <summary>Sorts each row by column and sums repeated columns in place; returns the number of entries kept.</summary>
    private int SortRowsAndSumDuplicates(int[] rowPointers, int[] columns, double[] values)
    {
        long[] sortKeys = [];
        int kept = 0;
        for (int i = 0; i < Rows; i++)
        {
            int start = rowPointers[i], end = rowPointers[i + 1];
            if (!IsStrictlyIncreasing(columns.AsSpan(start, end - start)))
            {
                int length = end - start;
                if (sortKeys.Length < length)
                {
                    sortKeys = new long[Math.Max(length, 2 * sortKeys.Length)];
                }

                // The key (column, position in the row) makes the sort stable: duplicates are summed in the order added.
                var keys = sortKeys.AsSpan(0, length);
                for (int t = 0; t < length; t++)
                {
                    keys[t] = ((long)columns[start + t] << 32) | (uint)t;
                }

                keys.Sort(values.AsSpan(start, length));
                for (int t = 0; t < length; t++)
                {
                    columns[start + t] = (int)(keys[t] >> 32);
                }
            }

            rowPointers[i] = kept;
            for (int k = start; k < end; k++)
            {
                if (kept > rowPointers[i] && columns[kept - 1] == columns[k])
                {
                    values[kept - 1] += values[k];
                    if (!double.IsFinite(values[kept - 1]))
                    {
                        throw new OverflowException($"The entries added at ({i}, {columns[k]}) sum to an infinity.");
                    }
                }
                else
                {
                    columns[kept] = columns[k];
                    values[kept] = values[k];
                    kept++;
                }
            }
        }

        rowPointers[Rows] = kept;
        return kept;
    }

    private static bool IsStrictlyIncreasing(ReadOnlySpan<int> columns)
    {
        for (int k = 1; k < columns.Length; k++)
        {
            if (columns[k] <= columns[k - 1])
            {
                return false;
            }
        }

        return true;
    }
}
