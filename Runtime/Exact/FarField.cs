namespace GenLu.Exact;

/// <summary>
/// The lower-frame factor F (L itself, or Uᵀ read from the upper part of the block LU) and its far field: F without
/// the diagonal and neighbour blocks (leaf distance below 2), which the level-0 bridge holds.
/// </summary>
internal sealed class FarField(double[] work, int n, int p, bool transposed)
{
    public double At(int i, int j) => transposed ? work[(j * n) + i] : work[(i * n) + j];

    /// <summary>destination[c] = F_far(row, from + c).</summary>
    public void Row(int row, int from, Span<double> destination)
    {
        // Columns at or right of leaf (row leaf - 1) are near (or above the diagonal): zero.
        int nearFrom = Math.Clamp((((row / p) - 1) * p) - from, 0, destination.Length);
        if (!transposed)
        {
            work.AsSpan((row * n) + from, nearFrom).CopyTo(destination);
        }
        else
        {
            for (int c = 0; c < nearFrom; c++)
            {
                destination[c] = work[((from + c) * n) + row];
            }
        }

        destination[nearFrom..].Clear();
    }

    /// <summary>destination[c] = F_far(from + c, column).</summary>
    public void Column(int column, int from, Span<double> destination)
    {
        // Rows before leaf (column leaf + 2) are near (or above the diagonal): zero.
        int farFrom = Math.Clamp((((column / p) + 2) * p) - from, 0, destination.Length);
        destination[..farFrom].Clear();
        if (transposed)
        {
            work.AsSpan((column * n) + from + farFrom, destination.Length - farFrom).CopyTo(destination[farFrom..]);
        }
        else
        {
            for (int c = farFrom; c < destination.Length; c++)
            {
                destination[c] = work[((from + c) * n) + column];
            }
        }
    }
}
