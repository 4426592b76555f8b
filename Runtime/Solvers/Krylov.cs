namespace GenLu.Solvers;

/// <summary>Vector helpers shared by the iterative solvers.</summary>
internal static class Krylov
{
    public static void CheckSystem(int size, ReadOnlySpan<double> b, Span<double> x)
    {
        if (b.Length != size) throw new ArgumentException($"The operator has size {size}, but b has length {b.Length}.", nameof(b));
        if (x.Length != size) throw new ArgumentException($"The operator has size {size}, but x has length {x.Length}.", nameof(x));
        if (b.Overlaps(x)) throw new ArgumentException("x must not overlap b.", nameof(x));
    }

    /// <summary>
    /// The common start of every solver here: validated options, a checked system, <c>x = 0</c>, the
    /// residual <c>r = b</c>, <c>‖b‖</c> and a history starting at relative residual 1 (0 when b = 0).
    /// </summary>
    public static IterativeSolveOptions Begin(IterativeSolveOptions? options, int size, ReadOnlySpan<double> b, Span<double> x,
        Span<double> residual, out double normB, out List<double> history)
    {
        options ??= new IterativeSolveOptions();
        options.Validate();
        CheckSystem(size, b, x);
        x.Clear();
        b.CopyTo(residual);
        normB = Norm(b);
        history = [normB == 0 ? 0 : 1];
        return options;
    }

    public static double Norm(ReadOnlySpan<double> v) => Math.Sqrt(Dot(v, v));

    public static double Dot(ReadOnlySpan<double> u, ReadOnlySpan<double> v)
    {
        double sum = 0;
        for (int i = 0; i < u.Length; i++) sum += u[i] * v[i];
        return sum;
    }

    /// <summary><c>r = b − A x</c>; returns ‖r‖₂.</summary>
    public static double Residual(LinearOperator a, ReadOnlySpan<double> b, ReadOnlySpan<double> x, Span<double> r)
    {
        a.Apply(x, r);
        for (int i = 0; i < r.Length; i++) r[i] = b[i] - r[i];
        return Norm(r);
    }
}
