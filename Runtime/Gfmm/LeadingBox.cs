using System.Numerics;
using GenLu.Structure;

namespace GenLu.Gfmm;

/// <summary>
/// Where a stored P x P tensor's non-zero entries lie when they fill only a leading block of it: a basis of rank r padded
/// to P (an encoder r x P, a decoder P x r). The solver's own copy holds that block alone, packed, so that its solve reads
/// the weights it uses one after another and no padding (at N = 16,384, the RBF kernel, P = 32, ranks 7–12, the leaf
/// encoders and decoders then take a third of their 4 KB), and holds it transposed (<paramref name="Transposed"/>), every
/// other dense tensor too (<see cref="Whole"/>): the solve's one-vector product <c>y = W x</c> then reads Wᵀ row by row,
/// the column form with y in registers (<see cref="GfmmKernels.MultiplyAdd{T}"/>).
/// </summary>
/// <param name="Rows">The packed block's rows (of the transposed tensor if <paramref name="Transposed"/>).</param>
/// <param name="Columns">The packed block's columns.</param>
/// <param name="Transposed">Whether the packed block is the tensor's transpose.</param>
internal readonly record struct LeadingBox(int Rows, int Columns, bool Transposed)
{
    /// <summary>The leading block of the row-major P x P <paramref name="tensor"/> holding its non-zero entries, transposed,
    /// or null when that block is more than half the tensor (reading the whole tensor then costs little more).</summary>
    public static LeadingBox? Find<T>(ReadOnlySpan<T> tensor, int p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = 0, columns = 0;
        for (int row = 0; row < p; row++)
            for (int column = 0; column < p; column++)
                if (tensor[row * p + column] != T.Zero)
                {
                    rows = row + 1;
                    columns = Math.Max(columns, column + 1);
                }
        if (rows == 0 || 2L * rows * columns > (long)p * p) return null;
        return new LeadingBox(columns, rows, Transposed: true);
    }

    /// <summary>The whole P x P tensor, transposed.</summary>
    public static LeadingBox Whole(int p) => new(p, p, Transposed: true);

    /// <summary>Whether a tensor with these <paramref name="entries"/> is multiplied faster as this packed block by the dense
    /// kernels than entry by entry: when the block is at most four times the entries (an interpolative basis's r x r
    /// transfer holds about a third of its block).</summary>
    public bool Serves(SparseEntries entries) => Length <= 4 * entries.Count;

    /// <summary>How many values the packed block holds.</summary>
    public int Length => Rows * Columns;

    /// <summary>Writes the block of the row-major P x P <paramref name="tensor"/> into <paramref name="packed"/>, row-major.</summary>
    public void Pack<T>(ReadOnlySpan<T> tensor, Span<T> packed, int p)
    {
        for (int row = 0; row < Rows; row++)
            for (int column = 0; column < Columns; column++)
                packed[row * Columns + column] = Transposed ? tensor[column * p + row] : tensor[row * p + column];
    }
}
