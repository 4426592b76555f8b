using GenLu.Gfmm;

namespace GenLu.Solvers;

/// <summary>
/// Iterative refinement with the learned solve as an approximate inverse: from x = 0, repeat
/// <c>r = b − A x</c> (double), <c>x += M⁻¹ r</c> (the float structured solve). Converges when
/// <c>‖I − A M⁻¹‖ &lt; 1</c> (a good model); otherwise use <see cref="Gmres"/>. Buffers are allocated once
/// per instance; an instance is not thread-safe.
/// </summary>
public sealed class IterativeRefinement
{
    private readonly LinearOperator a;
    private readonly LearnedPreconditioner preconditioner;
    private readonly double[] residual;
    private readonly double[] correction;

    public IterativeRefinement(LinearOperator a, GfmmSolver solver)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(solver);
        if (a.Size != solver.N)
            throw new ArgumentException($"The operator has size {a.Size} but the learned solver has N = {solver.N}.", nameof(solver));
        this.a = a;
        preconditioner = new LearnedPreconditioner(solver);
        residual = new double[a.Size];
        correction = new double[a.Size];
    }

    /// <summary>Solves <c>A x = b</c>; <paramref name="x"/> is overwritten. Stops at the tolerance, the
    /// iteration cap, or a non-finite residual (divergence), whichever comes first.</summary>
    public IterativeSolveResult Solve(ReadOnlySpan<double> b, Span<double> x, IterativeSolveOptions? options = null)
    {
        options = Krylov.Begin(options, a.Size, b, x, residual, out double normB, out var history);
        if (normB == 0) return new IterativeSolveResult(0, 0, true, history);

        double relative = 1;
        int iterations = 0;
        while (iterations < options.MaxIterations && relative > options.Tolerance && double.IsFinite(relative))
        {
            preconditioner.Apply(residual, correction);
            for (int i = 0; i < x.Length; i++) x[i] += correction[i];
            iterations++;
            relative = Krylov.Residual(a, b, x, residual) / normB;
            history.Add(relative);
        }
        return new IterativeSolveResult(iterations, relative, relative <= options.Tolerance, history);
    }
}
