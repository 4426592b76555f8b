using System.Numerics;
using System.Runtime.InteropServices;

namespace GenLu.Solvers;

/// <summary>A matrix-vector product <c>y = A x</c> supplied by the caller.</summary>
public delegate void MatVec(ReadOnlySpan<double> x, Span<double> y);

/// <summary>
/// The true operator A of a square system, in double precision, as the iterative solvers see it: only
/// <c>y = A x</c> is needed. Build one from a dense row-major matrix or from a delegate.
/// </summary>
public abstract class LinearOperator
{
    protected LinearOperator(int size)
    {
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, "The operator's size must be >= 1.");
        Size = size;
    }

    /// <summary>The order n of the n x n operator.</summary>
    public int Size { get; }

    /// <summary><c>y = A x</c>; x and y have length <see cref="Size"/> and must not overlap.</summary>
    public void Apply(ReadOnlySpan<double> x, Span<double> y)
    {
        if (x.Length != Size) throw new ArgumentException($"The operator has size {Size}, but x has length {x.Length}.", nameof(x));
        if (y.Length != Size) throw new ArgumentException($"The operator has size {Size}, but y has length {y.Length}.", nameof(y));
        if (x.Overlaps(y)) throw new ArgumentException("y must not overlap x.", nameof(y));
        ApplyCore(x, y);
    }

    /// <summary>The product after <see cref="Apply"/> has validated the lengths.</summary>
    protected abstract void ApplyCore(ReadOnlySpan<double> x, Span<double> y);

    /// <summary>The n x n row-major matrix <paramref name="matrix"/> (entry (i, j) at <c>i * n + j</c>); not copied.</summary>
    public static LinearOperator FromDense(double[] matrix, int size)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, "The operator's size must be >= 1.");
        if (matrix.Length != (long)size * size)
            throw new ArgumentException($"A {size} x {size} matrix has {(long)size * size} entries, but {matrix.Length} were given.", nameof(matrix));
        return new DenseOperator(matrix, size);
    }

    /// <summary>An operator whose product is computed by <paramref name="matVec"/>.</summary>
    public static LinearOperator FromDelegate(int size, MatVec matVec)
    {
        ArgumentNullException.ThrowIfNull(matVec);
        return new DelegateOperator(size, matVec);
    }

    private sealed class DenseOperator(double[] matrix, int size) : LinearOperator(size)
    {
        protected override void ApplyCore(ReadOnlySpan<double> x, Span<double> y)
        {
            int n = Size;
            for (int i = 0; i < n; i++)
            {
                ReadOnlySpan<double> row = matrix.AsSpan(i * n, n);
                y[i] = Dot(row, x);
            }
        }

        private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
        {
            int i = 0;
            double sum = 0;
            if (Vector.IsHardwareAccelerated && a.Length >= Vector<double>.Count)
            {
                var va = MemoryMarshal.Cast<double, Vector<double>>(a);
                var vb = MemoryMarshal.Cast<double, Vector<double>>(b);
                var acc = Vector<double>.Zero;
                for (int k = 0; k < va.Length; k++) acc += va[k] * vb[k];
                sum = Vector.Sum(acc);
                i = va.Length * Vector<double>.Count;
            }
            for (; i < a.Length; i++) sum += a[i] * b[i];
            return sum;
        }
    }

    private sealed class DelegateOperator(int size, MatVec matVec) : LinearOperator(size)
    {
        protected override void ApplyCore(ReadOnlySpan<double> x, Span<double> y) => matVec(x, y);
    }
}
