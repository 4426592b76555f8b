using GenLu.Kernels;

namespace GenLu.Solvers;

/// <summary>
/// Iterative refinement with an approximate inverse M⁻¹ (for instance a <see cref="Gfmm.GfmmSolver"/> or a
/// generated class's <c>Preconditioner</c>): from x = 0, repeat <c>r = b − A x</c>, <c>x += M⁻¹ r</c>, all in
/// double. Converges when <c>‖I − A M⁻¹‖ &lt; 1</c> (a good model); otherwise use <see cref="Gmres"/>. Buffers are
/// allocated once per instance; an instance is not thread-safe.
/// </summary>
public sealed class IterativeRefinement
{
    private readonly ILinearOperator a;
    private readonly IPreconditioner preconditioner;
    private readonly double[] residual;
    private readonly double[] correction;

    /// <param name="a">The true operator A.</param>
    /// <param name="preconditioner">The approximate inverse M⁻¹ of A, of the same order.</param>
    /// <exception cref="ArgumentException">The orders differ.</exception>
    public IterativeRefinement(ILinearOperator a, IPreconditioner preconditioner)
    {
        Krylov.CheckPair(a, preconditioner);
        this.a = a;
        this.preconditioner = preconditioner;
        residual = new double[a.Order];
        correction = new double[a.Order];
    }

    /// <summary>Solves <c>A x = b</c>; <paramref name="x"/> is overwritten. Stops at the tolerance, the
    /// iteration cap, or a non-finite residual (divergence), whichever comes first.</summary>
    /// <exception cref="ArgumentException">A length is not the order, x overlaps b, or b holds a NaN or an infinity
    /// (named by its index; x is left untouched).</exception>
    public IterativeSolveResult Solve(ReadOnlySpan<double> b, Span<double> x, IterativeSolveOptions? options = null)
    {
        options = Krylov.Begin(options, a.Order, b, x, residual, out double normB, out var history);
        if (normB == 0) return new IterativeSolveResult(0, 0, true, history);

        double relative = 1;
        int iterations = 0;
        while (iterations < options.MaxIterations && relative > options.Tolerance && double.IsFinite(relative))
        {
            preconditioner.Apply(residual, correction);
            Level1.Axpy(1.0, correction, x);
            iterations++;
            relative = Krylov.Residual(a, b, x, residual) / normB;
            history.Add(relative);
        }
        return new IterativeSolveResult(iterations, relative, relative <= options.Tolerance, history);
    }
}
