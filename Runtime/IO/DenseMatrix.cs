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

/// <summary>A matrix file (Matrix Market or .npy) is malformed or uses a feature this reader does not support.</summary>
public sealed class MatrixFormatException : FormatException
{
    public MatrixFormatException(string message)
        : base(message)
    {
    }

    public MatrixFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Shared checks and the atomic write of the matrix file formats.</summary>
internal static class MatrixFiles
{
    /// <summary>Rejects a matrix too big for one array, before anything is allocated.</summary>
    public static int CheckedElementCount(long rows, long cols, string source)
    {
        if (rows <= 0 || cols <= 0)
        {
            throw new MatrixFormatException($"{source}: the matrix size {rows} x {cols} must be positive.");
        }

        if (rows * cols > Array.MaxLength || rows > int.MaxValue || cols > int.MaxValue)
        {
            throw new MatrixFormatException($"{source}: a {rows} x {cols} matrix is too large for a dense array.");
        }

        return (int)(rows * cols);
    }

    public static void CheckFiniteValue(double value, string where)
    {
        if (!double.IsFinite(value))
        {
            throw new MatrixFormatException($"{where}: the value {value} is not finite (NaN and infinities are rejected).");
        }
    }

    /// <summary>
    /// Writes through <paramref name="write"/> into a temporary file beside <paramref name="path"/> and then moves it
    /// over the target, so a reader never sees a half-written file.
    /// </summary>
    public static void WriteAtomically(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full) ?? ".", $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }
}
