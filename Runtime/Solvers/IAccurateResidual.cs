namespace GenLu.Solvers;

/// <summary>
/// An operator that computes the residual <c>r = b − A x</c> as accurately as if in twice double precision, rounded
/// once (compensated dot products, <see cref="Kernels.CompensatedSum"/>). Refinement then converges to the solution of
/// <c>A x = b</c> to about working precision whatever the condition number κ (below 1/u), where a residual in plain double
/// stalls at a forward error near κ·u; restarted <see cref="Gmres"/> and <see cref="IterativeRefinement"/> use it whenever
/// the operator offers it (dense and CSR matrices do), which makes GMRES restarts the GMRES-based refinement of Carson and
/// Higham (2017).
/// </summary>
public interface IAccurateResidual
{
    /// <summary><c>r = b − A x</c>; all three of length <see cref="ILinearOperator.Order"/>, r overlapping neither.</summary>
    void Residual(ReadOnlySpan<double> b, ReadOnlySpan<double> x, Span<double> r);
}
