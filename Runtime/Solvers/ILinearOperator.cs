namespace GenLu.Solvers;

/// <summary>
/// A square linear operator <c>A</c> of order <see cref="Order"/> in double precision, known through its
/// products: what the Krylov solvers, the norm estimators and the metrics need of a matrix. Implemented by
/// dense and sparse matrices, GFMM models and caller-supplied delegates (<see cref="LinearOperator"/>).
/// </summary>
public interface ILinearOperator
{
    /// <summary>The order n of the n x n operator: every vector has this length.</summary>
    int Order { get; }

    /// <summary><c>y = A x</c>; x and y have length <see cref="Order"/> and do not overlap.</summary>
    void Apply(ReadOnlySpan<double> x, Span<double> y);

    /// <summary><c>y = Aᵀ x</c>; x and y have length <see cref="Order"/> and do not overlap.</summary>
    /// <exception cref="NotSupportedException">The operator is known only through <c>A x</c>.</exception>
    void ApplyTranspose(ReadOnlySpan<double> x, Span<double> y);
}
