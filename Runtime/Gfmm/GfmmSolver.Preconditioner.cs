using GenLu.Solvers;

namespace GenLu.Gfmm;

/// <summary>The structured solve as a double-precision preconditioner of <see cref="Gmres"/> and
/// <see cref="IterativeRefinement"/>.</summary>
public sealed partial class GfmmSolver : IPreconditioner
{
    private SinglePrecisionPreconditioner? preconditioner;
    private ThreadLocal<GfmmWorkspace>? preconditionerWorkspaces;

    int IPreconditioner.Order => N;

    /// <summary>
    /// <c>z ≈ A⁻¹ r</c> in double through the float <see cref="Solve(ReadOnlySpan{float}, Span{float}, GfmmWorkspace)"/>,
    /// with the scaling rule of <see cref="SinglePrecisionPreconditioner"/>. Thread-safe: each calling thread gets its
    /// own workspace and buffers on its first call; later calls allocate nothing.
    /// </summary>
    /// <exception cref="ArgumentException">A length is not <see cref="N"/>, or z overlaps r.</exception>
    public void Apply(ReadOnlySpan<double> r, Span<double> z) => (preconditioner ?? CreatePreconditioner()).Apply(r, z);

    private SinglePrecisionPreconditioner CreatePreconditioner()
    {
        Interlocked.CompareExchange(ref preconditionerWorkspaces, new ThreadLocal<GfmmWorkspace>(() => CreateWorkspace()), null);
        var workspaces = preconditionerWorkspaces;
        Interlocked.CompareExchange(ref preconditioner,
            new SinglePrecisionPreconditioner(N, 0, (b, x, _) => Solve(b, x, workspaces.Value!)), null);
        return preconditioner;
    }
}
