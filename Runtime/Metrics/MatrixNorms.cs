using GenLu.Kernels;
using GenLu.Solvers;

namespace GenLu.Metrics;

/// <summary>
/// Norms of dense row-major matrices (<c>a[i * cols + j]</c> is entry (i, j)), used to report accuracy:
/// the spectral norm ‖A‖₂, the Frobenius norm and the relative Frobenius error.
/// </summary>
public static class MatrixNorms
{
    /// <summary>The default relative tolerance of <see cref="Spectral(ReadOnlySpan{double}, int, int)"/>.</summary>
    public const double DefaultTolerance = 1e-10;

    /// <summary>The default iteration cap of <see cref="Spectral(ReadOnlySpan{double}, int, int)"/>.</summary>
    public const int DefaultMaxIterations = 1000;

    /// <summary>
    /// The spectral norm ‖A‖₂ (largest singular value), by Lanczos on AᵀA from a fixed pseudo-random start vector,
    /// with <see cref="DefaultTolerance"/> and <see cref="DefaultMaxIterations"/>.
    /// </summary>
    public static double Spectral(ReadOnlySpan<double> a, int rows, int cols) =>
        Spectral(a, rows, cols, DefaultTolerance, DefaultMaxIterations);

    /// <summary>
    /// The spectral norm ‖A‖₂ by the Lanczos process on AᵀA (no re-orthogonalisation: loss of orthogonality only
    /// creates duplicate copies of converged Ritz values, never a value above the true largest one).
    /// </summary>
    /// <remarks>
    /// Accuracy: iteration stops when the residual of the largest Ritz pair, ‖AᵀA y − θ y‖ = β_k |s_k|, is at most
    /// <paramref name="relativeTolerance"/> · θ. Then θ lies within that distance of an eigenvalue of AᵀA, so the returned
    /// √θ is within about <paramref name="relativeTolerance"/>/2 (relative) of a singular value; θ only grows with k and
    /// never exceeds σ_max², so the result is a lower bound of ‖A‖₂ up to rounding. With a deterministic start vector the
    /// result is reproducible. If <paramref name="maxIterations"/> is reached the current (lower-bound) estimate is returned.
    /// Cost: two matrix-vector products per iteration; workspace O(rows + cols + maxIterations).
    /// </remarks>
    public static double Spectral(ReadOnlySpan<double> a, int rows, int cols, double relativeTolerance, int maxIterations)
    {
        CheckShape(a, rows, cols, nameof(a));
        if (!Level1.AllFinite(a))
        {
            throw new ArgumentException("The matrix contains NaN or infinity; its norm is undefined.", nameof(a));
        }

        return Lanczos(new DenseProducts(a, rows, cols), rows, cols, relativeTolerance, maxIterations);
    }

    /// <summary>
    /// The spectral norm of an operator known only by its products <see cref="ILinearOperator.Apply"/> and
    /// <see cref="ILinearOperator.ApplyTranspose"/>. Same Lanczos process, stopping rule and accuracy as the dense
    /// overload; use it for structured or implicit matrices such as L̂Û − A, whose dense form would cost O(N³) to build.
    /// </summary>
    /// <exception cref="ArgumentException">The products produced NaN or infinity.</exception>
    public static double Spectral(ILinearOperator a, double relativeTolerance = DefaultTolerance, int maxIterations = DefaultMaxIterations)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(a.Order, nameof(a));
        return Lanczos(new OperatorProducts(a), a.Order, a.Order, relativeTolerance, maxIterations);
    }

    private static double Lanczos<T>(T products, int rows, int cols, double relativeTolerance, int maxIterations)
        where T : IProducts, allows ref struct
    {
        if (!(relativeTolerance > 0 && relativeTolerance < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(relativeTolerance), relativeTolerance, "The tolerance must lie in (0, 1).");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxIterations);
        var v = new double[cols];
        var vPrevious = new double[cols];
        var w = new double[cols];
        var av = new double[rows];
        var tridiagonal = new LanczosTridiagonal(maxIterations);
        FillStartVector(v);

        double theta = 0;
        double betaPrevious = 0;
        for (int k = 0; k < maxIterations; k++)
        {
            products.Apply(v, av);
            products.ApplyTransposed(av, w);
            Level1.Axpy<double>(-betaPrevious, vPrevious, w);
            double alpha = Level1.Dot<double>(w, v);
            Level1.Axpy<double>(-alpha, v, w);
            double beta = Level1.Norm2<double>(w);
            if (!double.IsFinite(alpha) || !double.IsFinite(beta))
            {
                throw new ArgumentException("The matrix-vector products produced NaN or infinity; the norm is undefined.", "apply");
            }

            tridiagonal.Append(alpha, beta);
            theta = tridiagonal.LargestEigenvalue(theta);

            // β = 0: the Krylov space is invariant and θ is exact; otherwise test the Ritz residual β |s_k|.
            if (theta == 0 || beta <= 1e-15 * theta || tridiagonal.LargestRitzResidual(theta) <= relativeTolerance * theta)
            {
                break;
            }

            v.CopyTo(vPrevious, 0);
            w.CopyTo(v, 0);
            Level1.Scale<double>(1 / beta, v);
            betaPrevious = beta;
        }

        return Math.Sqrt(theta);
    }

    /// <summary>The Frobenius norm sqrt(Σ a_ij²) of a matrix given as its entries (any layout).</summary>
    public static double Frobenius(ReadOnlySpan<double> a) => Level1.Norm2(a);

    /// <summary>‖approx − exact‖_F / ‖exact‖_F, entry by entry (same layout for both).</summary>
    /// <exception cref="ArgumentException">The lengths differ, or exact is all zero.</exception>
    public static double RelativeFrobeniusError(ReadOnlySpan<double> approx, ReadOnlySpan<double> exact)
    {
        if (approx.Length != exact.Length)
        {
            throw new ArgumentException($"approx has {approx.Length} entries but exact has {exact.Length}.", nameof(approx));
        }

        double reference = Frobenius(exact);
        if (reference == 0)
        {
            throw new ArgumentException("exact is the zero matrix; a relative error is undefined.", nameof(exact));
        }

        return Level1.Distance(approx, exact) / reference;
    }

    private static void CheckShape(ReadOnlySpan<double> a, int rows, int cols, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cols);
        if ((long)rows * cols != a.Length)
        {
            throw new ArgumentException($"A {rows} x {cols} matrix has {(long)rows * cols} entries, but {name} has {a.Length}.", name);
        }
    }

    private interface IProducts
    {
        void Apply(ReadOnlySpan<double> x, Span<double> y);

        void ApplyTransposed(ReadOnlySpan<double> x, Span<double> y);
    }

    private readonly ref struct DenseProducts(ReadOnlySpan<double> a, int rows, int cols) : IProducts
    {
        private readonly ReadOnlySpan<double> matrix = a;

        public void Apply(ReadOnlySpan<double> x, Span<double> y) => Multiply(matrix, rows, cols, x, y);

        public void ApplyTransposed(ReadOnlySpan<double> x, Span<double> y) => MultiplyTransposed(matrix, rows, cols, x, y);
    }

    private readonly struct OperatorProducts(ILinearOperator a) : IProducts
    {
        public void Apply(ReadOnlySpan<double> x, Span<double> y) => a.Apply(x, y);

        public void ApplyTransposed(ReadOnlySpan<double> x, Span<double> y) => a.ApplyTranspose(x, y);
    }

    private static void Multiply(ReadOnlySpan<double> a, int rows, int cols, ReadOnlySpan<double> x, Span<double> y)
    {
        for (int i = 0; i < rows; i++)
        {
            y[i] = Level1.Dot(a.Slice(i * cols, cols), x);
        }
    }

    private static void MultiplyTransposed(ReadOnlySpan<double> a, int rows, int cols, ReadOnlySpan<double> x, Span<double> y)
    {
        y.Clear();
        for (int i = 0; i < rows; i++)
        {
            Level1.Axpy(x[i], a.Slice(i * cols, cols), y);
        }
    }

    /// <summary>A fixed pseudo-random unit vector (SplitMix64), so that no structured matrix can be orthogonal to it by design.</summary>
    private static void FillStartVector(Span<double> v)
    {
        ulong state = 0x9E3779B97F4A7C15UL;
        for (int j = 0; j < v.Length; j++)
        {
            state += 0x9E3779B97F4A7C15UL;
            ulong z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            v[j] = ((z >> 11) * (1.0 / (1UL << 53))) - 0.5;
        }

        Level1.Scale(1 / Level1.Norm2<double>(v), v);
    }
}
