using System.Numerics;
using System.Runtime.InteropServices;
using GenLu.Kernels;
using GenLu.Structure;

namespace GenLu.Gfmm;

/// <summary>
/// The G_i LU factors' strict triangles of one block when they are sparse (<see cref="SparseEntries.IsSparse"/> on their
/// entries together): those of the row-major factors, which <c>G z = r</c> sweeps, and those of the transposed
/// factors, which <c>Gᵀ z = r</c> sweeps.
/// </summary>
/// <param name="Lower">The strictly lower entries of the row-major factors (L's).</param>
/// <param name="Upper">Their strictly upper entries (U's, whose diagonal every sweep reads).</param>
/// <param name="LowerTransposed">The strictly lower entries of the transposed factors (Uᵀ's).</param>
/// <param name="UpperTransposed">Their strictly upper entries (Lᵀ's).</param>
internal sealed record SparseTriangles(SparseEntries Lower, SparseEntries Upper, SparseEntries LowerTransposed, SparseEntries UpperTransposed)
{
    /// <summary>How many values <see cref="Pack{T}"/> writes: the four triangles' entries and U's diagonal.</summary>
    public int Length => Lower.Count + Upper.Count + Lower.P + LowerTransposed.Count + UpperTransposed.Count;

    /// <summary>The values a solve reads, in the order it reads them: <see cref="Lower"/>'s and <see cref="Upper"/>'s entries
    /// of <paramref name="lu"/>, U's diagonal, then <see cref="LowerTransposed"/>'s and <see cref="UpperTransposed"/>'s entries
    /// of <paramref name="luTransposed"/> (the diagonal of Uᵀ is U's): a few hundred bytes where the factors take 2 · P².</summary>
    public void Pack<T>(ReadOnlySpan<T> lu, ReadOnlySpan<T> luTransposed, int p, Span<T> packed)
    {
        Lower.Pack(lu, packed);
        int at = Lower.Count;
        Upper.Pack(lu, packed[at..]);
        at += Upper.Count;
        for (int i = 0; i < p; i++) packed[at + i] = lu[(i * p) + i];
        at += p;
        LowerTransposed.Pack(luTransposed, packed[at..]);
        UpperTransposed.Pack(luTransposed, packed[(at + LowerTransposed.Count)..]);
    }

    /// <summary>The triangles of one block's factors (<see cref="DiagonalBlockFactors{T}.Factors"/> and their transpose),
    /// or null when they hold too many entries.</summary>
    public static SparseTriangles? Find<T>(ReadOnlySpan<T> lu, ReadOnlySpan<T> luTransposed, int p)
        where T : struct, IEquatable<T>
    {
        var lower = SparseEntries.Find(lu, p, (row, column) => row > column);
        var upper = lower is null ? null : SparseEntries.Find(lu, p, (row, column) => row < column);
        if (lower is null || upper is null || !SparseEntries.IsSparse(lower.Count + upper.Count, p)) return null;
        return new SparseTriangles(lower, upper,
            SparseEntries.Find(luTransposed, p, (row, column) => row > column)!, SparseEntries.Find(luTransposed, p, (row, column) => row < column)!);
    }
}

/// <summary>The kernels for sparse tensors and diagonal blocks: each entry is one multiply-add on a row of the panel.</summary>
internal static partial class GfmmKernels
{
    /// <summary><c>y += op(W) x</c> on P x count panels for a tensor whose non-zero entries are <paramref name="entries"/>,
    /// <paramref name="values"/> holding their values in the entries' order (<c>W[out, in]</c> row-major positions). One
    /// vector: a row's sum stays in a register (each <c>y[row] +=</c> through memory would put a store-to-load forwarding
    /// on the chain), the same additions in the same order.</summary>
    public static void SparseMultiplyAdd<T>(ReadOnlySpan<T> values, SparseEntries entries, bool transpose, ReadOnlySpan<T> x, Span<T> y, int p, int count)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (values.Length < entries.Count) throw new ArgumentException($"{entries.Count} entries need as many values, not {values.Length}.", nameof(values));
        for (int row = 0; row < p; row++)
        {
            int first = entries.RowStarts[row], end = entries.RowStarts[row + 1];
            if (first == end) continue;
            if (count == 1 && !transpose)
            {
                T sum = y[row];
                for (int e = first; e < end; e++) sum += values[e] * x[entries.Columns[e]];
                y[row] = sum;
            }
            else if (count == 1)
            {
                T xRow = x[row];
                for (int e = first; e < end; e++) y[entries.Columns[e]] += values[e] * xRow;
            }
            else
            {
                for (int e = first; e < end; e++)
                {
                    int column = entries.Columns[e];
                    var (to, from) = transpose ? (column, row) : (row, column);
                    Level1.Axpy(values[e], x.Slice(from * count, count), y.Slice(to * count, count));
                }
            }
        }
    }

    /// <summary>
    /// <see cref="LuSolve{T}"/> for a block whose factors' strict triangles are <paramref name="triangles"/>, from the values
    /// <see cref="SparseTriangles.Pack{T}"/> wrote into <paramref name="packed"/>: the same swaps, then forward and backward
    /// substitution over those entries only, dividing by U's diagonal in the backward sweep for <c>G z = r</c> and in the
    /// forward one (Uᵀ) for <c>Gᵀ z = r</c>.
    /// </summary>
    public static void SparseLuSolve<T>(ReadOnlySpan<T> packed, ReadOnlySpan<int> pivots, SparseTriangles triangles, bool transpose, Span<T> z, int p, int count)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (packed.Length < triangles.Length) throw new ArgumentException($"The block's triangles need {triangles.Length} values, not {packed.Length}.", nameof(packed));
        ref T zRef = ref MemoryMarshal.GetReference(z);
        if (!transpose)
            for (int k = 0; k < p; k++) SwapRows(ref zRef, k, pivots[k], count);
        int lower = triangles.Lower.Count, upper = triangles.Upper.Count;
        var diagonal = packed.Slice(lower + upper, p);
        var transposed = packed[(lower + upper + p)..];
        var (first, second) = transpose ? (triangles.LowerTransposed, triangles.UpperTransposed) : (triangles.Lower, triangles.Upper);
        var firstValues = transpose ? transposed : packed;
        var secondValues = transpose ? transposed[first.Count..] : packed[lower..];
        if (count == 1)
        {
            Substitute(firstValues, diagonal, first, divide: transpose, ascending: true, z, p);
            Substitute(secondValues, diagonal, second, divide: !transpose, ascending: false, z, p);
        }
        else
        {
            for (int i = 0; i < p; i++) SubstituteRow(firstValues, diagonal, first, i, divide: transpose, z, count);
            for (int i = p - 1; i >= 0; i--) SubstituteRow(secondValues, diagonal, second, i, divide: !transpose, z, count);
        }
        if (transpose)
            for (int k = p - 1; k >= 0; k--) SwapRows(ref zRef, k, pivots[k], count);
    }

    /// <summary>
    /// One sweep of a single vector: rows in order (<paramref name="ascending"/> or not), <c>z_i −= R[i, k] z_k</c> over the
    /// row's entries (their values in <paramref name="values"/>; fused multiply-adds), then <c>z_i /= d_i</c> if asked. The
    /// row just solved stays in a register: a bidiagonal sweep's every step reads it, and reading it back from memory would
    /// put a store-to-load forwarding on the chain (measured at N = 4,096, the exact 1D Laplacian: 73 µs a solve through
    /// memory, 54 µs with the register).
    /// </summary>
    private static void Substitute<T>(ReadOnlySpan<T> values, ReadOnlySpan<T> diagonal, SparseEntries entries, bool divide, bool ascending, Span<T> z, int p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T last = T.Zero;
        int lastRow = -1;
        for (int step = 0; step < p; step++)
        {
            int i = ascending ? step : p - 1 - step;
            T sum = z[i];
            for (int e = entries.RowStarts[i]; e < entries.RowStarts[i + 1]; e++)
            {
                int k = entries.Columns[e];
                sum = T.FusedMultiplyAdd(-values[e], k == lastRow ? last : z[k], sum);
            }
            // The reciprocal does not wait for the sweep, so only a multiply joins the chain (a division would add its latency).
            if (divide) sum *= T.One / diagonal[i];
            z[i] = sum;
            (last, lastRow) = (sum, i);
        }
    }

    /// <summary>Row i of a substitution of a panel of vectors: <c>z_i −= R[i, k] z_k</c> over the row's entries, then
    /// <c>z_i /= d_i</c> if asked.</summary>
    private static void SubstituteRow<T>(ReadOnlySpan<T> values, ReadOnlySpan<T> diagonal, SparseEntries entries, int i, bool divide, Span<T> z, int count)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int first = entries.RowStarts[i], end = entries.RowStarts[i + 1];
        var target = z.Slice(i * count, count);
        for (int e = first; e < end; e++) Level1.Axpy(-values[e], z.Slice(entries.Columns[e] * count, count), target);
        if (divide)
        {
            T d = diagonal[i];
            for (int r = 0; r < count; r++) target[r] /= d;
        }
    }
}
