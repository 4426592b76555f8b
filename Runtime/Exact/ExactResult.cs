using GenLu.Gfmm;

namespace GenLu.Exact;

/// <summary>The result of <see cref="ExactFactorization"/>.Build.</summary>
/// <param name="Model">L and U as GFMM blocks (float32, or float64 when asked), with the given scale; its training provenance records method "exact", the tolerance and the seconds.</param>
/// <param name="Truncation">The discarded singular values, per factor, side and level.</param>
/// <param name="Seconds">Wall time of the whole construction (block LU included).</param>
public sealed record ExactResult(GfmmModel Model, IReadOnlyList<TruncationLevel> Truncation, double Seconds)
{
    /// <summary>
    /// A bound on ‖F̂ − F‖_F for one factor, before float32 rounding: the far field is approximated by orthogonal projections
    /// onto nested bases, so the row-side error is at most sqrt(Σ discarded σ²) over all its levels, likewise the column side,
    /// and the two add; the near field (diagonal and neighbour blocks) is exact.
    /// </summary>
    public double FarFieldErrorBound(ExactFactor factor)
    {
        double Side(BasisSide side) => Math.Sqrt(Truncation
            .Where(t => t.Factor == factor && t.Side == side)
            .Sum(t => t.DiscardedFrobenius * t.DiscardedFrobenius));
        return Side(BasisSide.Row) + Side(BasisSide.Column);
    }
}
