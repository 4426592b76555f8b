namespace GenLu.Exact;

/// <summary>Which factor a truncation report belongs to.</summary>
public enum ExactFactor
{
    L,
    U,
}

/// <summary>Which nested basis of a factor: rows (its decoder edges) or columns (its encoder edges).</summary>
public enum BasisSide
{
    Row,
    Column,
}

/// <summary>
/// What the truncated SVDs of one level of one nested basis discarded.
/// </summary>
/// <param name="Factor">L or U.</param>
/// <param name="Side">Row basis (decoder edges) or column basis (encoder edges).</param>
/// <param name="Level">Tree level of the nodes whose bases were formed (1 .. log2(M) - 1).</param>
/// <param name="MaxRank">The largest rank kept at this level (at most P).</param>
/// <param name="LargestDiscarded">The largest discarded singular value over the level's nodes (0 when nothing was cut).</param>
/// <param name="DiscardedFrobenius">sqrt of the sum of all discarded σ² over the level's nodes.</param>
public sealed record TruncationLevel(ExactFactor Factor, BasisSide Side, int Level, int MaxRank, double LargestDiscarded, double DiscardedFrobenius);
