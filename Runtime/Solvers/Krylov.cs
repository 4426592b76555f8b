using GenLu.Kernels;

namespace GenLu.Solvers;

/// <summary>The checks and the residual shared by the iterative solvers.</summary>
internal static class Krylov
{
    /// <summary>Throws unless the preconditioner approximates an operator of the same order.</summary>
    public static void CheckPair(ILinearOperator a, IPreconditioner preconditioner)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(preconditioner);
        if (a.Order < 1)
            throw new ArgumentException($"The operator has order {a.Order}; it must be >= 1.", nameof(a));
        if (a.Order != preconditioner.Order)
            throw new ArgumentException($"The operator has order {a.Order} but the preconditioner has order {preconditioner.Order}.", nameof(preconditioner));
    }

    public static void CheckSystem(int order, ReadOnlySpan<double> b, Span<double> x)
    {
        if (b.Length != order) throw new ArgumentException($"The operator has order {order}, but b has length {b.Length}.", nameof(b));
        if (x.Length != order) throw new ArgumentException($"The operator has order {order}, but x has length {x.Length}.", nameof(x));
        if (b.Overlaps(x)) throw new ArgumentException("x must not overlap b.", nameof(x));
        // A NaN or an infinity in b would only come back as a NaN residual after the first cycle; the
        // caller learns more from the index of the entry than from a "not converged" result.
        for (int i = 0; i < b.Length; i++)
            if (!double.IsFinite(b[i]))
                throw new ArgumentException($"b[{i}] is {b[i]}; the right-hand side must be finite.", nameof(b));
    }

    /// <summary>
    /// The common start of every solver here: validated options, a checked system, <c>x = 0</c>, the
    /// residual <c>r = b</c>, <c>‖b‖</c> and a history starting at relative residual 1 (0 when b = 0).
    /// </summary>
    public static IterativeSolveOptions Begin(IterativeSolveOptions? options, int order, ReadOnlySpan<double> b, Span<double> x,
        Span<double> residual, out double normB, out List<double> history)
    {
        options ??= new IterativeSolveOptions();
        options.Validate();
        CheckSystem(order, b, x);
        x.Clear();
        b.CopyTo(residual);
        normB = Level1.Norm2(b);
        history = [normB == 0 ? 0 : 1];
        return options;
    }

    /// <summary><c>r = b − A x</c> (accurately when the operator is an <see cref="IAccurateResidual"/>); returns ‖r‖₂.</summary>
    public static double Residual(ILinearOperator a, ReadOnlySpan<double> b, ReadOnlySpan<double> x, Span<double> r)
    {
        if (a is IAccurateResidual accurate)
        {
            accurate.Residual(b, x, r);
        }
        else
        {
            a.Apply(x, r);
            Level1.Subtract(b, r);  // r = A x − b
            Level1.Scale(-1.0, r);
        }
        return Level1.Norm2<double>(r);
    }
}
