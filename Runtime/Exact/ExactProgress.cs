namespace GenLu.Exact;

/// <summary>The stages of <see cref="ExactFactorization"/>.Build, in the order they run.</summary>
public enum ExactStage
{
    /// <summary>The block LU; progress counts the diagonal blocks factored (of M).</summary>
    BlockLu,

    /// <summary>The nested bases of L; progress counts the tree levels built (of log2(M) - 1).</summary>
    LowerFactor,

    /// <summary>The nested bases of U; progress counts the tree levels built (of log2(M) - 1).</summary>
    UpperFactor,

    /// <summary>The construction from entries: the skeleton sweep compressing A; progress counts the leaves swept (of M). It runs before the block LU.</summary>
    Compression,

    /// <summary>The compression of an operator known by its products (<see cref="HodlrMatrix.FromProducts"/>); progress counts the tree levels sampled, then the diagonal blocks (of depth + 1).</summary>
    Sampling,
}

/// <summary>A progress report of <see cref="ExactFactorization"/>.Build: <paramref name="Done"/> of <paramref name="Total"/> steps of a stage.</summary>
/// <param name="Stage">The stage running.</param>
/// <param name="Done">Steps of the stage finished (blocks for the block LU, levels for a factor).</param>
/// <param name="Total">Steps of the stage.</param>
public sealed record ExactProgress(ExactStage Stage, int Done, int Total);
