namespace GenLu.IO;

/// <summary>A dense real matrix, row-major: <c>Values[i * Cols + j]</c> is entry (i, j).</summary>
public sealed record DenseMatrix
{
    /// <summary>Wraps <paramref name="values"/> (not copied) as a <paramref name="rows"/> x <paramref name="cols"/> matrix.</summary>
    public DenseMatrix(int rows, int cols, double[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cols);
        if ((long)rows * cols != values.Length)
        {
            throw new ArgumentException($"A {rows} x {cols} matrix needs {(long)rows * cols} values, got {values.Length}.", nameof(values));
        }

        Rows = rows;
        Cols = cols;
        Values = values;
    }

    public int Rows { get; }

    public int Cols { get; }

    /// <summary>The entries, row-major.</summary>
    public double[] Values { get; }

    /// <summary>Entry (i, j).</summary>
    public double this[int i, int j] => Values[(i * Cols) + j];
}
