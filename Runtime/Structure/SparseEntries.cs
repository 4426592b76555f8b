// Shared source: compiled into GenLu.Runtime (net10.0) and GenLu.Generator (netstandard2.0), so the Runtime's solver and
// the generated code call a tensor or a diagonal block sparse by one rule.
using System;
using System.Collections.Generic;

namespace GenLu.Structure;

/// <summary>
/// The non-zero entries of a P x P matrix with so few of them that a kernel visiting them alone beats the dense P x P
/// kernels: the bidiagonal G_i and one-entry bridges of a banded operator's exact factors, for instance. Positions are
/// row-major (<c>row · P + column</c>), grouped by row, ascending within a row.
/// </summary>
internal sealed class SparseEntries
{
    private SparseEntries(int p, int[] rowStarts, int[] columns)
    {
        P = p;
        RowStarts = rowStarts;
        Columns = columns;
    }

    public int P { get; }

    /// <summary>Row i's entries are <c>Columns[RowStarts[i] .. RowStarts[i + 1])</c>.</summary>
    public int[] RowStarts { get; }

    public int[] Columns { get; }

    public int Count => Columns.Length;

    /// <summary>The one rule for "sparse enough": at most one entry in eight is non-zero (the dense single-vector kernels do
    /// P² / 16 vector multiply-adds at P = 32; a sparse kernel does one scalar multiply-add per entry), with 4 ≤ P ≤ 128 so
    /// that a generated kernel is worth a method and stays under 2,048 statements.</summary>
    public static bool IsSparse(long nonZeros, int p) => p >= 4 && p <= 128 && 8L * nonZeros <= (long)p * p;

    /// <summary>Writes the values of these entries of the row-major P x P <paramref name="matrix"/> into
    /// <paramref name="destination"/>, in the entries' order (the order the sparse kernels read them).</summary>
    public void Pack<T>(ReadOnlySpan<T> matrix, Span<T> destination)
    {
        for (int row = 0; row < P; row++)
            for (int e = RowStarts[row]; e < RowStarts[row + 1]; e++)
                destination[e] = matrix[row * P + Columns[e]];
    }

    /// <summary>The entries of the row-major P x P matrix <paramref name="matrix"/> that <paramref name="include"/> admits
    /// (by row and column) and that are not zero, or null when there are too many for <see cref="IsSparse"/>.</summary>
    public static SparseEntries? Find<T>(ReadOnlySpan<T> matrix, int p, Func<int, int, bool>? include = null)
        where T : struct, IEquatable<T>
    {
        if (!IsSparse(0, p)) return null;
        // Counted first, stopping at the first entry too many: a dense tensor costs a short scan and no allocation.
        int nonZeros = 0;
        for (int row = 0; row < p; row++)
            for (int column = 0; column < p; column++)
                if ((include is null || include(row, column)) && !matrix[row * p + column].Equals(default) && !IsSparse(++nonZeros, p)) return null;

        var rowStarts = new int[p + 1];
        var columns = new List<int>(nonZeros);
        for (int row = 0; row < p; row++)
        {
            for (int column = 0; column < p; column++)
            {
                if ((include is not null && !include(row, column)) || matrix[row * p + column].Equals(default)) continue;
                columns.Add(column);
            }
            rowStarts[row + 1] = columns.Count;
        }
        return new SparseEntries(p, rowStarts, columns.ToArray());
    }
}
