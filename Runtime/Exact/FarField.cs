namespace GenLu.Exact;

/// <summary>
/// The lower-frame factor F (L itself, or Uᵀ read from the upper part of the block LU) and its far field: F without
/// the diagonal and neighbour blocks (leaf distance below 2), which the level-0 bridge holds. F is zero more than
/// <see cref="BandBlocks"/> blocks below the diagonal (the store's lower band for L, its upper band for Uᵀ).
/// </summary>
internal sealed class FarField(BlockBandMatrix work, bool transposed)
{
    /// <summary>How many blocks below the diagonal F can be non-zero.</summary>
    public int BandBlocks => transposed ? work.UpperBlocks : work.LowerBlocks;

    public double At(int i, int j) => transposed ? work.At(j, i) : work.At(i, j);

    /// <summary>destination[c] = F_far(row, from + c).</summary>
    public void Row(int row, int from, Span<double> destination)
    {
        // Columns at or right of leaf (row leaf - 1) are near (or above the diagonal): zero.
        int nearFrom = Math.Clamp((((row / work.P) - 1) * work.P) - from, 0, destination.Length);
        destination.Clear();
        if (!transposed)
        {
            int first = Math.Max(from, work.BandStart(row)), end = Math.Min(from + nearFrom, work.BandEnd(row));
            if (end > first)
            {
                work.RowSpan(row, first, end - first).CopyTo(destination[(first - from)..]);
            }
        }
        else
        {
            // F(row, j) = U(j, row) is zero unless j is at most BandBlocks blocks before row.
            for (int c = Math.Max(0, (((row / work.P) - BandBlocks) * work.P) - from); c < nearFrom; c++)
            {
                destination[c] = work.At(from + c, row);
            }
        }
    }

    /// <summary>destination[c] = F_far(from + c, column).</summary>
    public void Column(int column, int from, Span<double> destination)
    {
        // Rows before leaf (column leaf + 2) are near (or above the diagonal): zero.
        int farFrom = Math.Clamp((((column / work.P) + 2) * work.P) - from, 0, destination.Length);
        destination.Clear();
        if (transposed)
        {
            int first = Math.Max(from + farFrom, work.BandStart(column)), end = Math.Min(from + destination.Length, work.BandEnd(column));
            if (end > first)
            {
                work.RowSpan(column, first, end - first).CopyTo(destination[(first - from)..]);
            }
        }
        else
        {
            int end = Math.Min(destination.Length, work.ColumnEnd(column) - from);
            for (int c = farFrom; c < end; c++)
            {
                destination[c] = work.At(from + c, column);
            }
        }
    }
}
