using GenLu.Kernels;

namespace GenLu.Solvers;

/// <summary>
/// The <see cref="ILinearOperator"/> the iterative solvers most often need, built from a dense row-major matrix
/// (<see cref="FromDense"/>) or from caller-supplied products (<see cref="FromDelegate"/>). <see cref="Apply"/> and
/// <see cref="ApplyTranspose"/> check the lengths and the overlap of their arguments before the product.
/// </summary>
public abstract class LinearOperator : ILinearOperator
{
    private protected LinearOperator(int order)
    {
        CheckOrder(order);
        Order = order;
    }

    /// <inheritdoc/>
    public int Order { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">A length is not <see cref="Order"/>, or y overlaps x.</exception>
    public void Apply(ReadOnlySpan<double> x, Span<double> y)
    {
        CheckVectors(x, y);
        ApplyCore(x, y);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">A length is not <see cref="Order"/>, or y overlaps x.</exception>
    public void ApplyTranspose(ReadOnlySpan<double> x, Span<double> y)
    {
        CheckVectors(x, y);
        ApplyTransposeCore(x, y);
    }

    private protected abstract void ApplyCore(ReadOnlySpan<double> x, Span<double> y);

    private protected abstract void ApplyTransposeCore(ReadOnlySpan<double> x, Span<double> y);

    /// <summary>The n x n row-major matrix <paramref name="matrix"/> (entry (i, j) at <c>i * n + j</c>); not copied,
    /// so later changes to the array change the operator.</summary>
    /// <exception cref="ArgumentException">The array does not hold n² entries.</exception>
    public static LinearOperator FromDense(double[] matrix, int order)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        CheckOrder(order);
        if (matrix.Length != (long)order * order)
            throw new ArgumentException($"A {order} x {order} matrix has {(long)order * order} entries, but {matrix.Length} were given.", nameof(matrix));
        return new DenseOperator(matrix, order);
    }

    /// <summary>
    /// An operator known through its products: <paramref name="apply"/> computes <c>y = A x</c> and the optional
    /// <paramref name="applyTranspose"/> computes <c>y = Aᵀ x</c>. Both receive spans of length <paramref name="order"/>
    /// that do not overlap, and must overwrite all of y.
    /// </summary>
    public static LinearOperator FromDelegate(int order, Action<ReadOnlySpan<double>, Span<double>> apply,
        Action<ReadOnlySpan<double>, Span<double>>? applyTranspose = null)
    {
        ArgumentNullException.ThrowIfNull(apply);
        return new DelegateOperator(order, apply, applyTranspose);
    }

    /// <summary>The span rules of <see cref="IAccurateResidual.Residual"/>.</summary>
    internal static void CheckResidualSpans(int order, ReadOnlySpan<double> b, ReadOnlySpan<double> x, Span<double> r)
    {
        if (b.Length != order) throw new ArgumentException($"The operator has order {order}, but b has length {b.Length}.", nameof(b));
        if (x.Length != order) throw new ArgumentException($"The operator has order {order}, but x has length {x.Length}.", nameof(x));
        if (r.Length != order) throw new ArgumentException($"The operator has order {order}, but r has length {r.Length}.", nameof(r));
        if (r.Overlaps(b) || r.Overlaps(x)) throw new ArgumentException("r must not overlap b or x.", nameof(r));
    }

    private static void CheckOrder(int order)
    {
        if (order < 1) throw new ArgumentOutOfRangeException(nameof(order), order, "The operator's order must be >= 1.");
    }

    private void CheckVectors(ReadOnlySpan<double> x, Span<double> y)
    {
        if (x.Length != Order) throw new ArgumentException($"The operator has order {Order}, but x has length {x.Length}.", nameof(x));
        if (y.Length != Order) throw new ArgumentException($"The operator has order {Order}, but y has length {y.Length}.", nameof(y));
        if (x.Overlaps(y)) throw new ArgumentException("y must not overlap x.", nameof(y));
    }

    private sealed class DenseOperator(double[] matrix, int order) : LinearOperator(order), IAccurateResidual
    {
        public void Residual(ReadOnlySpan<double> b, ReadOnlySpan<double> x, Span<double> r)
        {
            CheckResidualSpans(Order, b, x, r);
            for (int i = 0; i < Order; i++)
            {
                var sum = new CompensatedSum(b[i]);
                ReadOnlySpan<double> row = Row(i);
                for (int j = 0; j < row.Length; j++) sum.AddProduct(-row[j], x[j]);
                r[i] = sum.Value;
            }
        }

        private protected override void ApplyCore(ReadOnlySpan<double> x, Span<double> y)
        {
            for (int i = 0; i < Order; i++) y[i] = Level1.Dot(Row(i), x);
        }

        // Aᵀ x = Σ_i x_i (row i of A): reads A row by row, as the product does.
        private protected override void ApplyTransposeCore(ReadOnlySpan<double> x, Span<double> y)
        {
            y.Clear();
            for (int i = 0; i < Order; i++) Level1.Axpy(x[i], Row(i), y);
        }

        private ReadOnlySpan<double> Row(int i) => matrix.AsSpan(i * Order, Order);
    }

    private sealed class DelegateOperator(int order, Action<ReadOnlySpan<double>, Span<double>> apply,
        Action<ReadOnlySpan<double>, Span<double>>? applyTranspose) : LinearOperator(order)
    {
        private protected override void ApplyCore(ReadOnlySpan<double> x, Span<double> y) => apply(x, y);

        private protected override void ApplyTransposeCore(ReadOnlySpan<double> x, Span<double> y)
        {
            if (applyTranspose is null)
                throw new NotSupportedException("This operator was built by LinearOperator.FromDelegate without a transpose product; pass applyTranspose to use Aᵀ x.");
            applyTranspose(x, y);
        }
    }
}
