namespace GenLu.Solvers;

/// <summary>
/// An <see cref="ILinearOperator"/> that applies itself to a block of vectors in one call — a simulation code's
/// <c>A X</c>, or any operator that reads its own data once for many vectors. What needs many products
/// (<see cref="Exact.HodlrMatrix.FromProducts"/>) gives it whole blocks instead of one vector at a time.
/// </summary>
public interface IBlockLinearOperator : ILinearOperator
{
    /// <summary><c>Y = A X</c> for <paramref name="count"/> vectors stored one after another (vector t at
    /// <c>[t · N, (t + 1) · N)</c>); x and y have length count · <see cref="ILinearOperator.Order"/> and do not overlap.</summary>
    void Apply(ReadOnlySpan<double> x, Span<double> y, int count);

    /// <summary><c>Y = Aᵀ X</c>, stored as in <see cref="Apply(ReadOnlySpan{double}, Span{double}, int)"/>.</summary>
    /// <exception cref="NotSupportedException">The operator is known only through <c>A X</c>.</exception>
    void ApplyTranspose(ReadOnlySpan<double> x, Span<double> y, int count);
}
