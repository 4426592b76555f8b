using GenLu.Gfmm;

namespace GenLu.Solvers;

/// <summary>
/// <c>z ≈ A⁻¹ r</c> in double through the float structured solve: r is scaled to unit max-norm before
/// rounding to float (so tiny late residuals neither underflow nor lose relative precision), solved, and
/// scaled back. Owns its buffers: no allocation per application.
/// </summary>
internal sealed class LearnedPreconditioner
{
    private readonly GfmmSolver solver;
    private readonly GfmmWorkspace workspace;
    private readonly float[] right;
    private readonly float[] solution;

    public LearnedPreconditioner(GfmmSolver solver)
    {
        this.solver = solver;
        workspace = solver.CreateWorkspace();
        right = new float[solver.N];
        solution = new float[solver.N];
    }

    public void Apply(ReadOnlySpan<double> r, Span<double> z)
    {
        double magnitude = 0;
        foreach (double value in r) magnitude = Math.Max(magnitude, Math.Abs(value));
        if (magnitude == 0 || !double.IsFinite(magnitude))
        {
            z.Fill(magnitude == 0 ? 0 : double.NaN);
            return;
        }
        for (int i = 0; i < r.Length; i++) right[i] = (float)(r[i] / magnitude);
        solver.Solve(right, solution, workspace);
        for (int i = 0; i < z.Length; i++) z[i] = solution[i] * magnitude;
    }
}
