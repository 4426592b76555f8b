using GenLu.Kernels;

namespace GenLu.Solvers;

/// <summary>
/// Restarted GMRES(m) for <c>A x = b</c>, right-preconditioned by an approximate inverse M⁻¹ (for instance a
/// <see cref="Gfmm.GfmmSolver"/> or a generated class's <c>Preconditioner</c>, both float solves): it minimises
/// ‖b − A x‖₂ over <c>x ∈ x₀ + span{M⁻¹ v₁, …, M⁻¹ v_k}</c>. The preconditioned vectors <c>z_j = M⁻¹ v_j</c> are
/// kept (the "flexible" variant), so rounding inside M⁻¹ (or an M⁻¹ that is not exactly linear) cannot make the
/// residual estimate disagree with the true residual: <c>A Z = V H</c> holds exactly in double. Arnoldi by modified Gram–Schmidt,
/// the small least-squares problem by Givens rotations. Buffers (about <c>2 m n</c> doubles) are
/// allocated once per instance; an instance is not thread-safe.
/// </summary>
public sealed class Gmres
{
    private readonly ILinearOperator a;
    private readonly IPreconditioner preconditioner;
    private readonly int restart;
    private readonly double[][] basis;         // v_0 … v_m
    private readonly double[][] preconditioned; // z_0 … z_{m-1}
    private readonly double[,] hessenberg;     // (m + 1) x m, rotated to upper triangular as we go
    private readonly double[] cosines;
    private readonly double[] sines;
    private readonly double[] rhs;             // rotated β e₁
    private readonly double[] residual;
    private readonly double[] previous;        // x before a refinement cycle

    /// <summary>u = 2⁻⁵³, the unit roundoff of double.</summary>
    private const double UnitRoundoff = 1.1102230246251565e-16;

    /// <param name="a">The true operator A.</param>
    /// <param name="preconditioner">The approximate inverse M⁻¹ of A used as right preconditioner, of the same order.</param>
    /// <param name="restart">Krylov vectors kept before a restart (m).</param>
    /// <exception cref="ArgumentException">The orders differ.</exception>
    public Gmres(ILinearOperator a, IPreconditioner preconditioner, int restart = 50)
    {
        Krylov.CheckPair(a, preconditioner);
        if (restart < 1) throw new ArgumentOutOfRangeException(nameof(restart), restart, "The restart length must be >= 1.");
        this.a = a;
        this.restart = restart;
        this.preconditioner = preconditioner;
        int n = a.Order;
        basis = Enumerable.Range(0, restart + 1).Select(_ => new double[n]).ToArray();
        preconditioned = Enumerable.Range(0, restart).Select(_ => new double[n]).ToArray();
        hessenberg = new double[restart + 1, restart];
        cosines = new double[restart];
        sines = new double[restart];
        rhs = new double[restart + 1];
        residual = new double[n];
        previous = new double[n];
    }

    /// <summary>The restart length m this instance was built with.</summary>
    public int Restart => restart;

    /// <summary>Solves <c>A x = b</c> from x = 0; <paramref name="x"/> is overwritten.</summary>
    /// <exception cref="ArgumentException">A length is not the order, x overlaps b, or b holds a NaN or an infinity
    /// (named by its index; x is left untouched).</exception>
    public IterativeSolveResult Solve(ReadOnlySpan<double> b, Span<double> x, IterativeSolveOptions? options = null)
    {
        options = Krylov.Begin(options, a.Order, b, x, residual, out double normB, out var history);
        if (normB == 0) return new IterativeSolveResult(0, 0, true, history);

        double beta = normB, relative = 1;
        int iterations = 0;
        while (iterations < options.MaxIterations && relative > options.Tolerance && double.IsFinite(relative))
            relative = RefinementCycle(b, x, ref beta, normB, options.Tolerance, options, ref iterations, history);
        bool converged = relative <= options.Tolerance;

        if (converged && options.RefineToWorkingPrecision)
        {
            // GMRES-based refinement: each cycle solves A d = r for the recomputed residual to three more digits and adds
            // d; stop once d is a few ulps of x or stops shrinking (the residual's own rounding is then all that is left).
            double previousUpdate = double.PositiveInfinity;
            while (iterations < options.MaxIterations && beta > 0)
            {
                x.CopyTo(previous);
                double cycleTolerance = 1e-3 * beta / normB;
                relative = RefinementCycle(b, x, ref beta, normB, cycleTolerance, options, ref iterations, history);
                Level1.Subtract<double>(x, previous); // previous = previous − x = −d
                double update = Level1.Norm2<double>(previous);
                if (!double.IsFinite(relative) || update <= 4 * UnitRoundoff * Level1.Norm2<double>(x) || update >= 0.5 * previousUpdate) break;
                previousUpdate = update;
            }
        }
        return new IterativeSolveResult(iterations, relative, relative <= options.Tolerance, history);
    }

    /// <summary>One Arnoldi cycle to <paramref name="tolerance"/> (relative to ‖b‖) from the current residual, the update of x,
    /// and the residual recomputed from x (accurately when the operator offers it); returns the new relative residual.</summary>
    private double RefinementCycle(ReadOnlySpan<double> b, Span<double> x, ref double beta, double normB, double tolerance,
        IterativeSolveOptions options, ref int iterations, List<double> history)
    {
        int steps = Cycle(beta, normB, tolerance, options.MaxIterations, ref iterations, history);
        Update(x, steps);
        beta = Krylov.Residual(a, b, x, residual);
        double relative = beta / normB;
        history[^1] = relative; // the exact residual replaces the cycle's last estimate
        return relative;
    }

    // One Arnoldi cycle from the current residual (norm beta); returns the number of steps taken.
    private int Cycle(double beta, double normB, double tolerance, int maxIterations, ref int iterations, List<double> history)
    {
        residual.CopyTo(basis[0]);
        Level1.Scale(1 / beta, basis[0].AsSpan());
        Array.Clear(rhs);
        rhs[0] = beta;
        int j = 0;
        while (j < restart && iterations < maxIterations)
        {
            preconditioner.Apply(basis[j], preconditioned[j]);
            double[] w = basis[j + 1];
            a.Apply(preconditioned[j], w);
            for (int i = 0; i <= j; i++)
            {
                double h = Level1.Dot<double>(w, basis[i]);
                hessenberg[i, j] = h;
                Level1.Axpy(-h, basis[i], w);
            }
            double next = Level1.Norm2<double>(w);
            hessenberg[j + 1, j] = next;
            if (next > 0) Level1.Scale(1 / next, w.AsSpan());

            for (int i = 0; i < j; i++) Rotate(i, ref hessenberg[i, j], ref hessenberg[i + 1, j]);
            (cosines[j], sines[j]) = Givens(hessenberg[j, j], hessenberg[j + 1, j]);
            Rotate(j, ref hessenberg[j, j], ref hessenberg[j + 1, j]);
            Rotate(j, ref rhs[j], ref rhs[j + 1]);

            j++;
            iterations++;
            double estimate = Math.Abs(rhs[j]) / normB;
            history.Add(estimate);
            // next == 0 is a lucky breakdown: the Krylov space holds the exact solution.
            if (estimate <= tolerance || next == 0 || !double.IsFinite(estimate)) break;
        }
        return j;
    }

    // x += Z y with R y = g (the rotated Hessenberg's upper triangle and right-hand side).
    private void Update(Span<double> x, int steps)
    {
        Span<double> y = rhs.AsSpan(0, steps);
        for (int i = steps - 1; i >= 0; i--)
        {
            double sum = y[i];
            for (int k = i + 1; k < steps; k++) sum -= hessenberg[i, k] * y[k];
            y[i] = hessenberg[i, i] == 0 ? 0 : sum / hessenberg[i, i];
        }
        for (int i = 0; i < steps; i++) Level1.Axpy(y[i], preconditioned[i], x);
    }

    private void Rotate(int i, ref double top, ref double bottom)
    {
        double t = cosines[i] * top + sines[i] * bottom;
        bottom = -sines[i] * top + cosines[i] * bottom;
        top = t;
    }

    private static (double Cos, double Sin) Givens(double f, double g)
    {
        if (g == 0) return (1, 0);
        double r = Math.Sqrt(f * f + g * g); // |f|, |g| are bounded by the Hessenberg column's norm: no overflow in practice
        return (f / r, g / r);
    }
}
