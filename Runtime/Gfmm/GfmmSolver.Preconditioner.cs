using GenLu.Solvers;
using GenLu.Structure;

namespace GenLu.Gfmm;

/// <summary>The structured solve as a double-precision preconditioner of <see cref="Gmres"/> and
/// <see cref="IterativeRefinement"/>.</summary>
public sealed partial class GfmmSolver : IPreconditioner
{
    private SinglePrecisionPreconditioner? preconditioner;
    private ThreadLocal<GfmmWorkspace>? preconditionerWorkspaces;

    int IPreconditioner.Order => N;

    /// <summary>
    /// <c>z ≈ A⁻¹ r</c> in double: a float64 model solves r itself (<see cref="Solve(ReadOnlySpan{double}, Span{double}, GfmmWorkspace)"/>);
    /// a float32 model goes through the float <see cref="Solve(ReadOnlySpan{float}, Span{float}, GfmmWorkspace)"/> with the
    /// scaling rule of <see cref="SinglePrecisionPreconditioner"/>. Thread-safe: each calling thread gets its own workspace
    /// and buffers on its first call; later calls allocate nothing.
    /// </summary>
    /// <exception cref="ArgumentException">A length is not <see cref="N"/>, or z overlaps r.</exception>
    public void Apply(ReadOnlySpan<double> r, Span<double> z)
    {
        if (Dtype == GfmmDtype.Float32)
        {
            (preconditioner ?? CreatePreconditioner()).Apply(r, z);
            return;
        }
        if (r.Length != N) throw new ArgumentException($"The preconditioner has order {N}, but r has length {r.Length}.", nameof(r));
        if (z.Length != N) throw new ArgumentException($"The preconditioner has order {N}, but z has length {z.Length}.", nameof(z));
        if (r.Overlaps(z)) throw new ArgumentException("z must not overlap r.", nameof(z));
        Solve(r, z, Workspaces().Value!);
    }

    private ThreadLocal<GfmmWorkspace> Workspaces()
    {
        Interlocked.CompareExchange(ref preconditionerWorkspaces, new ThreadLocal<GfmmWorkspace>(() => CreateWorkspace()), null);
        return preconditionerWorkspaces;
    }

    private SinglePrecisionPreconditioner CreatePreconditioner()
    {
        var workspaces = Workspaces();
        Interlocked.CompareExchange(ref preconditioner,
            new SinglePrecisionPreconditioner(N, 0, (b, x, _) => Solve(b, x, workspaces.Value!)), null);
        return preconditioner;
    }
}
