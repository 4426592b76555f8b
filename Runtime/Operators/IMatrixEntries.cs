namespace GenLu.Operators;

/// <summary>
/// A square matrix known by its entries, never stored: a kernel <c>k(x_i, x_j)</c> over points, or any operator whose
/// entries are cheap to compute. The construction from entries (<see cref="Exact.ExactFactorization"/>) reads
/// O(N · P) of them, in blocks.
/// </summary>
public interface IMatrixEntries
{
    /// <summary>The order N.</summary>
    int Order { get; }

    /// <summary>Whether A = Aᵀ (the construction then reads one triangle only).</summary>
    bool IsSymmetric { get; }

    /// <summary>
    /// Writes <c>destination[r * columns.Length + c] = A(rows[r], columns[c])</c>; every index is in 0 .. N − 1 and
    /// every value must be finite. It is called from several threads at once (the construction's two sweeps, the sampled
    /// error's batches), so it must not write shared state.
    /// </summary>
    void Block(ReadOnlySpan<int> rows, ReadOnlySpan<int> columns, Span<double> destination);
}

/// <summary>Ready-made <see cref="IMatrixEntries"/>.</summary>
public static class MatrixEntries
{
    /// <summary>The entries of a dense row-major n x n matrix (held by reference, not copied).</summary>
    public static IMatrixEntries FromDense(double[] matrix, int n, bool isSymmetric = false)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        if (n < 1 || matrix.Length != (long)n * n)
        {
            throw new ArgumentException($"An n x n matrix with n = {n} has {(long)n * n} numbers; got {matrix.Length}.", nameof(matrix));
        }

        return new DenseEntries(matrix, n, isSymmetric);
    }

    /// <summary>
    /// The squared-exponential kernel <c>(exp(−(x_i − x_j)² / (2 l²)) + nugget δ_ij) / (1 + nugget)</c> on the uniform
    /// grid x_i = i / (n − 1) of [0, 1] (the built-in <c>rbf</c> operator, divided by its largest entry), for any n ≥ 2.
    /// </summary>
    public static IMatrixEntries RbfKernel(int n, double lengthScale = 0.2, double nugget = 1e-4)
    {
        CheckKernel(n, lengthScale, nugget);
        return new StationaryEntries<RbfProfile>(n, nugget, new RbfProfile(n, lengthScale));
    }

    /// <summary>
    /// The Matérn covariance of smoothness ν = 3/2, <c>(1 + √3 r / l) exp(−√3 r / l) + nugget δ_ij</c> with
    /// <c>r = |x_i − x_j|</c> on the uniform grid x_i = i / (n − 1) of [0, 1], divided by its largest entry 1 + nugget, for
    /// any n ≥ 2. Rougher than the RBF kernel (its spectrum decays algebraically), so its off-diagonal blocks need higher
    /// ranks at the same tolerance.
    /// </summary>
    public static IMatrixEntries Matern32Kernel(int n, double lengthScale = 0.2, double nugget = 1e-4)
    {
        CheckKernel(n, lengthScale, nugget);
        return new StationaryEntries<Matern32Profile>(n, nugget, new Matern32Profile(n, lengthScale));
    }

    private static void CheckKernel(int n, double lengthScale, double nugget)
    {
        if (n < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, "The kernel needs n >= 2 points.");
        }

        if (!double.IsFinite(lengthScale) || lengthScale <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(lengthScale), lengthScale, "The length scale must be finite and > 0.");
        }

        if (!double.IsFinite(nugget) || nugget < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(nugget), nugget, "The nugget must be finite and >= 0.");
        }
    }

    /// <summary>The entries of <c>A ⊕ I</c> of order <paramref name="paddedOrder"/>: identity on the rows and columns past A's order.</summary>
    internal static IMatrixEntries PaddedWithIdentity(IMatrixEntries a, int paddedOrder) =>
        paddedOrder == a.Order ? a : new PaddedEntries(a, paddedOrder);

    /// <summary>The entries of Aᵀ.</summary>
    internal static IMatrixEntries Transposed(IMatrixEntries a) => a.IsSymmetric ? a : new TransposedEntries(a);

    private sealed class DenseEntries(double[] matrix, int n, bool isSymmetric) : IMatrixEntries
    {
        public int Order => n;

        public bool IsSymmetric => isSymmetric;

        public void Block(ReadOnlySpan<int> rows, ReadOnlySpan<int> columns, Span<double> destination)
        {
            for (int r = 0; r < rows.Length; r++)
            {
                long row = (long)rows[r] * n;
                for (int c = 0; c < columns.Length; c++)
                {
                    destination[(r * columns.Length) + c] = matrix[row + columns[c]];
                }
            }
        }
    }

    /// <summary>The profile of a stationary kernel on the grid: k as a function of the index distance |i − j|.</summary>
    private interface IKernelProfile
    {
        /// <summary>The kernel's value (without the nugget) at index distance <paramref name="distance"/>.</summary>
        double Value(int distance);
    }

    /// <summary>exp(−d² / (2 l²)) with d = |i − j| h.</summary>
    private readonly struct RbfProfile(int n, double lengthScale) : IKernelProfile
    {
        private readonly double h = 1.0 / (n - 1);
        private readonly double twoLengthScaleSquared = 2 * lengthScale * lengthScale;

        public double Value(int distance)
        {
            double d = distance * h;
            return Math.Exp(-d * d / twoLengthScaleSquared);
        }
    }

    /// <summary>(1 + s) exp(−s) with s = √3 |i − j| h / l.</summary>
    private readonly struct Matern32Profile(int n, double lengthScale) : IKernelProfile
    {
        private readonly double distanceScale = Math.Sqrt(3) / ((n - 1) * lengthScale);

        public double Value(int distance)
        {
            double s = distance * distanceScale;
            return (1 + s) * Math.Exp(-s);
        }
    }

    /// <summary>
    /// <c>(k(|i − j|) + nugget δ_ij) / (1 + nugget)</c> for a kernel profile; the profile is a struct, so its arithmetic
    /// is inlined into the loop. Scalar <see cref="Math.Exp(double)"/> on purpose: <c>TensorPrimitives.Exp</c> made the
    /// N = 65,536 build no faster with optimized code and 0.2–0.4 s slower in a default process, where vector code runs
    /// unoptimized until it is promoted (docs/benchmarks/construction.md).
    /// </summary>
    private sealed class StationaryEntries<TProfile>(int n, double nugget, TProfile profile) : IMatrixEntries
        where TProfile : struct, IKernelProfile
    {
        private readonly double inverseMax = 1.0 / (1 + nugget);

        public int Order => n;

        public bool IsSymmetric => true;

        public void Block(ReadOnlySpan<int> rows, ReadOnlySpan<int> columns, Span<double> destination)
        {
            for (int r = 0; r < rows.Length; r++)
            {
                int i = rows[r];
                var line = destination.Slice(r * columns.Length, columns.Length);
                for (int c = 0; c < columns.Length; c++)
                {
                    int j = columns[c];
                    line[c] = (profile.Value(Math.Abs(i - j)) + (i == j ? nugget : 0)) * inverseMax;
                }
            }
        }
    }

    private sealed class PaddedEntries(IMatrixEntries a, int paddedOrder) : IMatrixEntries
    {
        public int Order => paddedOrder;

        public bool IsSymmetric => a.IsSymmetric;

        public void Block(ReadOnlySpan<int> rows, ReadOnlySpan<int> columns, Span<double> destination)
        {
            // Entries inside A come from A in one call (indices past its order are clamped, then overwritten).
            int n = a.Order;
            Span<int> clampedRows = rows.Length <= 256 ? stackalloc int[rows.Length] : new int[rows.Length];
            Span<int> clampedColumns = columns.Length <= 256 ? stackalloc int[columns.Length] : new int[columns.Length];
            for (int r = 0; r < rows.Length; r++) clampedRows[r] = Math.Min(rows[r], n - 1);
            for (int c = 0; c < columns.Length; c++) clampedColumns[c] = Math.Min(columns[c], n - 1);
            a.Block(clampedRows, clampedColumns, destination);
            for (int r = 0; r < rows.Length; r++)
            {
                for (int c = 0; c < columns.Length; c++)
                {
                    if (rows[r] >= n || columns[c] >= n)
                    {
                        destination[(r * columns.Length) + c] = rows[r] == columns[c] ? 1 : 0;
                    }
                }
            }
        }
    }

    private sealed class TransposedEntries(IMatrixEntries a) : IMatrixEntries
    {
        public int Order => a.Order;

        public bool IsSymmetric => false;

        public void Block(ReadOnlySpan<int> rows, ReadOnlySpan<int> columns, Span<double> destination)
        {
            var block = new double[rows.Length * columns.Length];
            a.Block(columns, rows, block);
            for (int r = 0; r < rows.Length; r++)
            {
                for (int c = 0; c < columns.Length; c++)
                {
                    destination[(r * columns.Length) + c] = block[(c * rows.Length) + r];
                }
            }
        }
    }
}
