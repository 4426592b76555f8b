using GenLu.Solvers;

namespace GenLu.Metrics;

/// <summary>A linear map given by its action: writes A x into <paramref name="y"/>.</summary>
public delegate void LinearMap(ReadOnlySpan<double> x, Span<double> y);

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
        foreach (double value in a)
        {
            if (!double.IsFinite(value))
            {
                throw new ArgumentException("The matrix contains NaN or infinity; its norm is undefined.", nameof(a));
            }
        }

        return Lanczos(new DenseProducts(a, rows, cols), rows, cols, relativeTolerance, maxIterations);
    }

    /// <summary>
    /// The spectral norm of a linear map given only by its products: <paramref name="apply"/> computes y = A x
    /// (x of length <paramref name="cols"/>, y of length <paramref name="rows"/>) and <paramref name="applyTransposed"/>
    /// y = Aᵀ x. Same Lanczos process, stopping rule and accuracy as the dense overload; use it for structured or
    /// implicit matrices such as L̂Û − A, whose dense form would cost O(N³) to build.
    /// </summary>
    public static double Spectral(int rows, int cols, LinearMap apply, LinearMap applyTransposed, double relativeTolerance = DefaultTolerance, int maxIterations = DefaultMaxIterations)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cols);
        ArgumentNullException.ThrowIfNull(apply);
        ArgumentNullException.ThrowIfNull(applyTransposed);
        return Lanczos(new MapProducts(apply, applyTransposed), rows, cols, relativeTolerance, maxIterations);
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
            for (int j = 0; j < cols; j++)
            {
                w[j] -= betaPrevious * vPrevious[j];
            }

            double alpha = Dot(w, v);
            for (int j = 0; j < cols; j++)
            {
                w[j] -= alpha * v[j];
            }

            double beta = Math.Sqrt(Dot(w, w));
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

            for (int j = 0; j < cols; j++)
            {
                vPrevious[j] = v[j];
                v[j] = w[j] / beta;
            }

            betaPrevious = beta;
        }

        return Math.Sqrt(theta);
    }

    /// <summary>The Frobenius norm sqrt(Σ a_ij²) of a matrix given as its entries (any layout).</summary>
    public static double Frobenius(ReadOnlySpan<double> a) => Math.Sqrt(Dot(a, a));

    /// <summary>‖approx − exact‖_F / ‖exact‖_F, entry by entry (same layout for both).</summary>
    /// <exception cref="ArgumentException">The lengths differ, or exact is all zero.</exception>
    public static double RelativeFrobeniusError(ReadOnlySpan<double> approx, ReadOnlySpan<double> exact)
    {
        if (approx.Length != exact.Length)
        {
            throw new ArgumentException($"approx has {approx.Length} entries but exact has {exact.Length}.", nameof(approx));
        }

        double difference = 0;
        for (int i = 0; i < approx.Length; i++)
        {
            double d = approx[i] - exact[i];
            difference += d * d;
        }

        double reference = Frobenius(exact);
        if (reference == 0)
        {
            throw new ArgumentException("exact is the zero matrix; a relative error is undefined.", nameof(exact));
        }

        return Math.Sqrt(difference) / reference;
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

    private readonly struct MapProducts(LinearMap apply, LinearMap applyTransposed) : IProducts
    {
        public void Apply(ReadOnlySpan<double> x, Span<double> y) => apply(x, y);

        public void ApplyTransposed(ReadOnlySpan<double> x, Span<double> y) => applyTransposed(x, y);
    }

    private static void Multiply(ReadOnlySpan<double> a, int rows, int cols, ReadOnlySpan<double> x, Span<double> y)
    {
        for (int i = 0; i < rows; i++)
        {
            y[i] = Dot(a.Slice(i * cols, cols), x);
        }
    }

    private static void MultiplyTransposed(ReadOnlySpan<double> a, int rows, int cols, ReadOnlySpan<double> x, Span<double> y)
    {
        y.Clear();
        for (int i = 0; i < rows; i++)
        {
            double xi = x[i];
            var row = a.Slice(i * cols, cols);
            for (int j = 0; j < cols; j++)
            {
                y[j] += row[j] * xi;
            }
        }
    }

    private static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var sum = System.Numerics.Vector<double>.Zero;
        int width = System.Numerics.Vector<double>.Count;
        int i = 0;
        for (; i <= x.Length - width; i += width)
        {
            sum += new System.Numerics.Vector<double>(x[i..]) * new System.Numerics.Vector<double>(y[i..]);
        }

        double total = System.Numerics.Vector.Sum(sum);
        for (; i < x.Length; i++)
        {
            total += x[i] * y[i];
        }

        return total;
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

        double norm = Math.Sqrt(Dot(v, v));
        for (int j = 0; j < v.Length; j++)
        {
            v[j] /= norm;
        }
    }

    /// <summary>
    /// The Lanczos tridiagonal matrix T_k (diagonal α, off-diagonal β) and the two facts about its largest eigenvalue
    /// that the iteration needs: the value (bisection with Sturm counts) and the Ritz residual β_k |s_k| (the last
    /// component of its unit eigenvector s, found by one step of inverse iteration with a pivoted tridiagonal LU).
    /// </summary>
    private sealed class LanczosTridiagonal(int capacity)
    {
        private readonly double[] alpha = new double[capacity];
        private readonly double[] beta = new double[capacity];
        private readonly double[] sub = new double[capacity];
        private readonly double[] diag = new double[capacity];
        private readonly double[] super1 = new double[capacity];
        private readonly double[] super2 = new double[capacity];
        private readonly double[] x = new double[capacity];
        private readonly bool[] swapped = new bool[capacity];
        private int size;

        public void Append(double a, double b)
        {
            alpha[size] = a;
            beta[size] = b;
            size++;
        }

        /// <summary>The largest eigenvalue; it is at least <paramref name="lowerBound"/> (Ritz values grow with k).</summary>
        public double LargestEigenvalue(double lowerBound)
        {
            // Gershgorin discs bound the spectrum from above.
            double high = double.MinValue;
            for (int i = 0; i < size; i++)
            {
                double radius = (i > 0 ? Math.Abs(beta[i - 1]) : 0) + (i < size - 1 ? Math.Abs(beta[i]) : 0);
                high = Math.Max(high, alpha[i] + radius);
            }

            double low = Math.Min(lowerBound, high);
            while (high - low > 2 * double.Epsilon + (4e-16 * Math.Abs(high)))
            {
                double middle = 0.5 * (low + high);
                if (middle <= low || middle >= high)
                {
                    break;
                }

                if (CountBelow(middle) == size)
                {
                    high = middle;
                }
                else
                {
                    low = middle;
                }
            }

            return high;
        }

        /// <summary>β_k |s_k| for the eigenvalue <paramref name="theta"/>: the residual norm of the corresponding Ritz pair.</summary>
        public double LargestRitzResidual(double theta)
        {
            int m = size;
            double tiny = 1e-300 + (1e-16 * Math.Abs(theta));
            for (int i = 0; i < m; i++)
            {
                diag[i] = alpha[i] - theta;
                super1[i] = beta[i];
                sub[i] = beta[i];
                super2[i] = 0;
                x[i] = 1;
            }

            // Gaussian elimination with row interchanges on T - θI (the LAPACK gttrf pattern); a zero pivot is
            // replaced by a tiny one, which inverse iteration tolerates (it only amplifies the wanted direction).
            for (int i = 0; i < m - 1; i++)
            {
                swapped[i] = Math.Abs(diag[i]) < Math.Abs(sub[i]);
                if (!swapped[i])
                {
                    if (diag[i] == 0)
                    {
                        diag[i] = tiny;
                    }

                    double factor = sub[i] / diag[i];
                    sub[i] = factor;
                    diag[i + 1] -= factor * super1[i];
                }
                else
                {
                    double factor = diag[i] / sub[i];
                    diag[i] = sub[i];
                    sub[i] = factor;
                    double saved = super1[i];
                    super1[i] = diag[i + 1];
                    diag[i + 1] = saved - (factor * diag[i + 1]);
                    if (i < m - 2)
                    {
                        super2[i] = super1[i + 1];
                        super1[i + 1] = -factor * super1[i + 1];
                    }
                }
            }

            if (diag[m - 1] == 0)
            {
                diag[m - 1] = tiny;
            }

            // Two steps of inverse iteration from the all-ones vector: the second removes any chance that the start
            // vector happened to be poor in the wanted direction.
            SolveFactored(m);
            double scale = 1 / Math.Sqrt(Dot(x.AsSpan(0, m), x.AsSpan(0, m)));
            for (int i = 0; i < m; i++)
            {
                x[i] *= scale;
            }

            SolveFactored(m);
            double norm = Math.Sqrt(Dot(x.AsSpan(0, m), x.AsSpan(0, m)));
            return beta[m - 1] * Math.Abs(x[m - 1]) / norm;
        }

        /// <summary>Overwrites x with (T - θI)^-1 x using the factors left by <see cref="LargestRitzResidual"/>.</summary>
        private void SolveFactored(int m)
        {
            for (int i = 0; i < m - 1; i++)
            {
                if (swapped[i])
                {
                    (x[i], x[i + 1]) = (x[i + 1], x[i]);
                }

                x[i + 1] -= sub[i] * x[i];
            }

            for (int i = m - 1; i >= 0; i--)
            {
                double sum = x[i];
                if (i + 1 < m)
                {
                    sum -= super1[i] * x[i + 1];
                }

                if (i + 2 < m)
                {
                    sum -= super2[i] * x[i + 2];
                }

                x[i] = sum / diag[i];
            }
        }

        /// <summary>The number of eigenvalues of T_k below <paramref name="shift"/> (Sturm sequence / LDLᵀ inertia).</summary>
        private int CountBelow(double shift)
        {
            int count = 0;
            double q = 1;
            for (int i = 0; i < size; i++)
            {
                double coupling = i > 0 ? beta[i - 1] * beta[i - 1] / q : 0;
                q = alpha[i] - shift - coupling;
                if (q == 0)
                {
                    q = -1e-300;
                }

                if (q < 0)
                {
                    count++;
                }
            }

            return count;
        }
    }
}
