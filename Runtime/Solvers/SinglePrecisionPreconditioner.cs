using GenLu.Kernels;

namespace GenLu.Solvers;

/// <summary>
/// A float solve <c>x ≈ A⁻¹ b</c> used as a double-precision <see cref="IPreconditioner"/>: <c>z ≈ A⁻¹ r</c> scales r
/// to unit max-norm before rounding it to float (so tiny late residuals neither underflow nor lose relative
/// precision), solves, and scales back. A zero r gives z = 0; an r with a NaN or infinite entry gives an all-NaN z
/// (the iterative solvers stop on it). This is the one double-to-float rule of <see cref="Gfmm.GfmmSolver"/> and of
/// every generated <c>[GfmmSolver]</c> class's <c>Preconditioner</c>.
/// </summary>
/// <remarks>
/// Thread-safe when the solve is: each thread gets its own float buffers and scratch, allocated on its first
/// <see cref="Apply"/> and reused afterwards (no allocation per application after a thread's first).
/// </remarks>
public sealed class SinglePrecisionPreconditioner : IPreconditioner
{
    private readonly Action<ReadOnlySpan<float>, Span<float>, Span<float>> solve;
    private readonly int scratchLength;
    private readonly ThreadLocal<float[]> buffers;

    /// <param name="order">The order n of the operator: the solve reads and writes n floats.</param>
    /// <param name="scratchLength">Floats of scratch the solve needs (0 if none).</param>
    /// <param name="solve">Writes the float solution of <c>A x = b</c> to its second argument; its arguments are
    /// b (n floats), x (n floats, not overlapping b) and a scratch span of <paramref name="scratchLength"/> floats.</param>
    public SinglePrecisionPreconditioner(int order, int scratchLength, Action<ReadOnlySpan<float>, Span<float>, Span<float>> solve)
    {
        if (order < 1) throw new ArgumentOutOfRangeException(nameof(order), order, "The order must be >= 1.");
        if (scratchLength < 0) throw new ArgumentOutOfRangeException(nameof(scratchLength), scratchLength, "The scratch length must be >= 0.");
        ArgumentNullException.ThrowIfNull(solve);
        long length = 2L * order + scratchLength;
        if (length > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(order), order, $"2 · order + scratch = {length} floats exceed the largest array.");
        Order = order;
        this.scratchLength = scratchLength;
        this.solve = solve;
        buffers = new ThreadLocal<float[]>(() => new float[length]);
    }

    /// <inheritdoc/>
    public int Order { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">A length is not <see cref="Order"/>, or z overlaps r.</exception>
    public void Apply(ReadOnlySpan<double> r, Span<double> z)
    {
        if (r.Length != Order) throw new ArgumentException($"The preconditioner has order {Order}, but r has length {r.Length}.", nameof(r));
        if (z.Length != Order) throw new ArgumentException($"The preconditioner has order {Order}, but z has length {z.Length}.", nameof(z));
        if (r.Overlaps(z)) throw new ArgumentException("z must not overlap r.", nameof(z));

        double magnitude = Level1.MaxMagnitude(r);
        if (magnitude == 0 || !double.IsFinite(magnitude))
        {
            z.Fill(magnitude == 0 ? 0 : double.NaN);
            return;
        }
        Span<float> buffer = buffers.Value;
        Span<float> right = buffer[..Order], solution = buffer.Slice(Order, Order), scratch = buffer.Slice(2 * Order, scratchLength);
        for (int i = 0; i < right.Length; i++) right[i] = (float)(r[i] / magnitude);
        solve(right, solution, scratch);
        for (int i = 0; i < z.Length; i++) z[i] = solution[i] * magnitude;
    }
}
