namespace GenLu.Solvers;

/// <summary>
/// An approximate inverse <c>z ≈ A⁻¹ r</c> of an operator of order <see cref="Order"/>, applied in double
/// precision: what <see cref="Gmres"/> and <see cref="IterativeRefinement"/> use to accelerate a solve.
/// A <see cref="Gfmm.GfmmSolver"/> is one, and so is every generated <c>[GfmmSolver]</c> class's
/// <c>Preconditioner</c> property.
/// </summary>
public interface IPreconditioner
{
    /// <summary>The order n of the operator it approximates.</summary>
    int Order { get; }

    /// <summary><c>z ≈ A⁻¹ r</c>; r and z have length <see cref="Order"/> and do not overlap.</summary>
    void Apply(ReadOnlySpan<double> r, Span<double> z);
}
