namespace GenLu.Solvers;

/// <summary>
/// Outcome of an iterative solve. <see cref="Iterations"/> counts applications of the learned solve after
/// the start; <see cref="RelativeResidual"/> is the true <c>‖b − A x‖₂ / ‖b‖₂</c> of the returned x;
/// <see cref="ResidualHistory"/> starts with the relative residual of the starting point (x = 0, so 1)
/// and has one entry per iteration (GMRES: its running estimate, recomputed exactly at each restart).
/// </summary>
public sealed record IterativeSolveResult(int Iterations, double RelativeResidual, bool Converged, IReadOnlyList<double> ResidualHistory);

/// <summary>Stopping rule of the iterative solvers.</summary>
public sealed record IterativeSolveOptions
{
    /// <summary>Stop when <c>‖b − A x‖₂ / ‖b‖₂</c> is at most this.</summary>
    public double Tolerance { get; init; } = 1e-12;

    /// <summary>Stop after this many iterations (applications of the learned solve).</summary>
    public int MaxIterations { get; init; } = 100;

    /// <summary>
    /// <see cref="Gmres"/> only: after the residual test is met, keep refining (further cycles on the recomputed residual) until the
    /// solution stops changing: the update is at most a few units in the last place of x, or it no longer shrinks.
    /// A residual of about u·‖b‖ still leaves a forward error up to κ·u; with an operator that computes accurate
    /// residuals (<see cref="IAccurateResidual"/>) these steps bring the forward error to about u whatever κ (below 1/u).
    /// Counted in <see cref="MaxIterations"/>.
    /// </summary>
    public bool RefineToWorkingPrecision { get; init; }

    internal void Validate()
    {
        if (!(Tolerance >= 0) || double.IsInfinity(Tolerance))
            throw new ArgumentOutOfRangeException(nameof(Tolerance), Tolerance, "The tolerance must be finite and >= 0.");
        if (MaxIterations < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxIterations), MaxIterations, "The iteration cap must be >= 1.");
    }
}
