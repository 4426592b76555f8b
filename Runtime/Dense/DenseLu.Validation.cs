using System.Buffers;
using System.Numerics;
using GenLu.Kernels;

namespace GenLu.Dense;

/// <summary>Argument checks of <see cref="DenseLu"/>: run once up front so the kernels need none.</summary>
public static unsafe partial class DenseLu
{
    private static void ValidateMatrix(int length, int rows, int cols, int leadingDimension, MatrixLayout layout, string matrixName, string rowsName, string colsName)
    {
        if (layout is not (MatrixLayout.RowMajor or MatrixLayout.ColumnMajor))
            throw new ArgumentOutOfRangeException(nameof(layout), layout, "layout must be MatrixLayout.RowMajor or MatrixLayout.ColumnMajor.");
        if (rows < 0)
            throw new ArgumentOutOfRangeException(rowsName, rows, $"{rowsName} must be non-negative.");
        if (cols < 0)
            throw new ArgumentOutOfRangeException(colsName, cols, $"{colsName} must be non-negative.");

        bool columnMajor = layout == MatrixLayout.ColumnMajor;
        int lineLength = columnMajor ? rows : cols;
        if (leadingDimension < Math.Max(1, lineLength))
        {
            string line = columnMajor ? $"column ({rows} rows)" : $"row ({cols} columns)";
            throw new ArgumentOutOfRangeException(nameof(leadingDimension), leadingDimension,
                $"leadingDimension must be at least max(1, length of one {layout} {line}) = {Math.Max(1, lineLength)}.");
        }

        int lineCount = columnMajor ? cols : rows;
        long required = rows == 0 || cols == 0 ? 0 : ((long)(lineCount - 1) * leadingDimension) + lineLength;
        if (length < required)
        {
            throw new ArgumentException(
                $"{matrixName} has {length} elements, but a {rows} x {cols} {layout} matrix with leading dimension {leadingDimension} needs at least {required}.",
                matrixName);
        }
    }

    private static void ValidateFactorPermutationLength(int length, int rows, int cols, int leadingDimension, MatrixLayout layout, int permLength)
    {
        if (permLength < rows)
        {
            throw new ArgumentException(
                $"perm has {permLength} entries, but it needs one per row of the full matrix, so at least rows = {rows}.", "perm");
        }

        // perm.Length is the full matrix's row count, which must fit in the storage.
        long maxRows = layout == MatrixLayout.ColumnMajor
            ? leadingDimension
            : cols == 0 ? long.MaxValue : ((long)(length - cols) / leadingDimension) + 1;
        if (permLength > maxRows)
        {
            throw new ArgumentException(
                $"perm has {permLength} entries (one per row of the full matrix), but a {layout} matrix of {length} elements with leading dimension {leadingDimension} has at most {maxRows} rows.",
                "perm");
        }
    }

    private static void ValidateSquareFactors(int length, int n, int leadingDimension, MatrixLayout layout) =>
        ValidateMatrix(length, n, n, leadingDimension, layout, "lu", nameof(n), nameof(n));

    private static void ValidateRightHandSides(int length, int n, int nrhs)
    {
        if (nrhs < 0)
            throw new ArgumentOutOfRangeException(nameof(nrhs), nrhs, "nrhs must be non-negative.");
        if (length != (long)n * nrhs)
        {
            throw new ArgumentException(
                $"b has {length} elements, but {nrhs} right-hand side(s) of length n = {n} stored one after another need exactly {(long)n * nrhs}.",
                "b");
        }
    }

    /// <summary>The solves overwrite b while they still read the factors, so storage shared by both would
    /// turn the answer into garbage without any error.</summary>
    private static void ThrowIfOverlapping<T>(ReadOnlySpan<T> lu, Span<T> b)
    {
        if (lu.Overlaps(b))
            throw new ArgumentException("b overlaps lu: the solve overwrites b while it still reads the factors, so b must not share storage with them.", nameof(b));
    }

    private static void ThrowIfNonFinite<T>(StridedMatrix<T> matrix, int rows, int cols, MatrixLayout layout, string matrixName)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool columnMajor = layout == MatrixLayout.ColumnMajor;
        int lineCount = columnMajor ? cols : rows;
        int lineLength = columnMajor ? rows : cols;
        for (int line = 0; line < lineCount; line++)
        {
            T* start = columnMajor ? matrix.At(0, line) : matrix.At(line, 0);
            nint offset = StridedLevel1<T>.IndexOfNonFinite(start, lineLength);
            if (offset >= 0)
            {
                (nint row, nint col) = columnMajor ? (offset, (nint)line) : ((nint)line, offset);
                throw new ArgumentException(
                    $"{matrixName} contains {start[offset]} at row {row}, column {col}; LU factorization needs finite entries.",
                    matrixName);
            }
        }
    }

    private static void ThrowIfNotPermutation(ReadOnlySpan<int> perm, int n) => _ = PermutationSign(perm, n);

    /// <summary>
    /// +1 or -1 for an even or odd permutation perm[0..n), found by walking its cycles (sign = (-1)^(n -
    /// cycles)); throws when perm[0..n) is not a permutation of 0..n-1.
    /// </summary>
    private static int PermutationSign(ReadOnlySpan<int> perm, int n)
    {
        if (perm.Length < n)
            throw new ArgumentException($"perm has {perm.Length} entries, but the factorization has n = {n} rows.", nameof(perm));

        int words = (n + 63) / 64;
        ulong[]? rented = null;
        Span<ulong> visited = words <= StackallocScratchBytes / sizeof(ulong)
            ? stackalloc ulong[words]
            : (rented = ArrayPool<ulong>.Shared.Rent(words));
        visited[..words].Clear();
        try
        {
            int cycles = 0;
            for (int start = 0; start < n; start++)
            {
                if ((visited[start >> 6] & (1UL << start)) != 0)
                    continue;
                cycles++;
                int i = start;
                do
                {
                    visited[i >> 6] |= 1UL << i;
                    int next = perm[i];
                    if ((uint)next >= (uint)n)
                        throw new ArgumentException($"perm[{i}] = {next} is outside 0..{n - 1}, so perm[0..{n}) is not a permutation.", nameof(perm));
                    if (next != start && (visited[next >> 6] & (1UL << next)) != 0)
                        throw new ArgumentException($"perm[0..{n}) is not a permutation: the value {next} occurs more than once.", nameof(perm));
                    i = next;
                }
                while (i != start);
            }

            return ((n - cycles) & 1) == 0 ? 1 : -1;
        }
        finally
        {
            if (rented is not null)
                ArrayPool<ulong>.Shared.Return(rented);
        }
    }
}
