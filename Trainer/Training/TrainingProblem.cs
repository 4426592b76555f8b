using System.Runtime.InteropServices;
using System.Security.Cryptography;
using GenLu.Gfmm;
using GenLu.Operators;
using GenLu.Sparse;

namespace GenLu.Trainer.Training;

/// <summary>
/// The matrix to factor: <c>A / s</c> (N x N, dense row-major or sparse CSR) with its scale <c>s</c> and where it came
/// from (recorded as the model's <see cref="OperatorProvenance"/>). A model's blocks have order M·P ≥ N and factor the
/// padded <c>(A / s) ⊕ I</c> (<see cref="PaddedMatrix"/>).
/// </summary>
/// <remarks>
/// A sparse matrix is never formed densely by the exact construction (it runs on the CSR band) nor by the metrics
/// above <see cref="MaxDenseOrder"/>; training fits a dense matrix, so it densifies a sparse one only up to that order.
/// </remarks>
public sealed class TrainingProblem
{
    /// <summary>
    /// The largest (padded) order whose matrix is formed densely from a sparse one, for training and for the dense
    /// metrics: 4,096 (4,096² doubles = 128 MiB). Larger sparse problems are factored exactly, never trained.
    /// </summary>
    public const int MaxDenseOrder = 4096;

    private readonly double[]? dense;
    private double[]? densified;

    /// <summary>
    /// A problem from an already scaled matrix (copied): <paramref name="scaledMatrix"/> is <c>A / s</c>,
    /// <paramref name="scale"/> is <c>s</c>. <paramref name="parameters"/> and <paramref name="matrixFile"/> are
    /// provenance only (a built-in operator's settings, or the file the matrix was read from).
    /// </summary>
    public TrainingProblem(string name, int n, ReadOnlySpan<double> scaledMatrix, double scale,
        IReadOnlyDictionary<string, double>? parameters = null, string? matrixFile = null)
        : this(name, n, scale, parameters, matrixFile)
    {
        if (scaledMatrix.Length != (long)n * n)
            throw new ArgumentException($"A {n} x {n} matrix has {(long)n * n} entries, but {scaledMatrix.Length} were given.", nameof(scaledMatrix));
        int bad = FirstNonFinite(scaledMatrix);
        if (bad >= 0) throw new ArgumentException($"Entry ({bad / n}, {bad % n}) of the matrix is not finite.", nameof(scaledMatrix));
        dense = scaledMatrix.ToArray();
    }

    /// <summary>
    /// A problem from an already scaled square sparse matrix (kept, not copied: a <see cref="CsrMatrix"/> is immutable and
    /// its values are finite by construction).
    /// </summary>
    public TrainingProblem(string name, CsrMatrix scaledMatrix, double scale,
        IReadOnlyDictionary<string, double>? parameters = null, string? matrixFile = null)
        : this(name, SquareOrder(scaledMatrix), scale, parameters, matrixFile)
    {
        Sparse = scaledMatrix;
    }

    /// <summary>
    /// A problem from an already scaled matrix known by its entries (a kernel; never formed unless it is small enough for
    /// the dense metrics or training, order at most <see cref="MaxDenseOrder"/>).
    /// </summary>
    public TrainingProblem(string name, IMatrixEntries scaledEntries, double scale, IReadOnlyDictionary<string, double>? parameters = null)
        : this(name, (scaledEntries ?? throw new ArgumentNullException(nameof(scaledEntries))).Order, scale, parameters, matrixFile: null)
    {
        Entries = scaledEntries;
    }

    private TrainingProblem(string name, int n, double scale, IReadOnlyDictionary<string, double>? parameters, string? matrixFile)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "The matrix order must be >= 1.");
        if (!(scale > 0 && double.IsFinite(scale))) throw new ArgumentOutOfRangeException(nameof(scale), scale, "The scale must be finite and > 0.");
        Name = name;
        N = n;
        Scale = scale;
        Parameters = new Dictionary<string, double>(parameters ?? new Dictionary<string, double>(), StringComparer.Ordinal);
        MatrixFile = matrixFile;
    }

    /// <summary>A problem from one of the built-in operators (<see cref="TestOperators.Create"/>).</summary>
    public static TrainingProblem FromOperator(OperatorMatrix op)
    {
        ArgumentNullException.ThrowIfNull(op);
        return new TrainingProblem(op.Name, op.N, op.Matrix, op.Scale, op.Parameters);
    }

    /// <summary>
    /// The built-in operator <paramref name="name"/> of size <paramref name="size"/> (n, or a 2D operator's grid side): by its
    /// entries when it is a kernel (any order, never formed), as CSR when it is a stencil operator above
    /// <see cref="MaxDenseOrder"/>, else dense (<see cref="TestOperators.Create"/>).
    /// </summary>
    public static TrainingProblem FromBuiltIn(string name, int size, IReadOnlyDictionary<string, double>? parameters = null)
    {
        if (TestOperators.CreateEntries(name, size, parameters) is { } lazy)
            return new TrainingProblem(lazy.Name, lazy.Entries, lazy.Scale, lazy.Parameters);
        // A stencil operator above the dense order is assembled sparse: O(N) memory where the dense form needs N².
        bool isGrid = TestOperators.All.First(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase)).IsGrid;
        if ((isGrid ? (long)size * size : size) > MaxDenseOrder && TestOperators.CreateSparse(name, size, parameters) is { } sparse)
            return new TrainingProblem(sparse.Name, sparse.Matrix, sparse.Scale, sparse.Parameters);
        return FromOperator(TestOperators.Create(name, size, parameters));
    }

    /// <summary>The operator's name (recorded in the model).</summary>
    public string Name { get; }

    /// <summary>The matrix order.</summary>
    public int N { get; }

    /// <summary>The scaled matrix as CSR when it was given sparse (then it is formed densely only on request); otherwise null.</summary>
    public CsrMatrix? Sparse { get; }

    /// <summary>The scaled matrix's entries when it was given by them (a kernel); otherwise null.</summary>
    public IMatrixEntries? Entries { get; }

    /// <summary>
    /// The operator divided by <see cref="Scale"/>, dense row-major N x N: what L·U is fitted to. A sparse matrix or one
    /// given by its entries is formed densely on first use, up to order <see cref="MaxDenseOrder"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The matrix is sparse or given by entries and larger than <see cref="MaxDenseOrder"/>.</exception>
    internal double[] Matrix => dense ?? (densified ??= Densify());

    /// <summary>The scale <c>s</c> the operator was divided by (the model's <see cref="GfmmModel.Scale"/>).</summary>
    public double Scale { get; }

    /// <summary>A built-in operator's parameter values (empty for a matrix file).</summary>
    public IReadOnlyDictionary<string, double> Parameters { get; }

    /// <summary>The full path of the matrix file the problem was read from, if any.</summary>
    public string? MatrixFile { get; }

    /// <summary>Whether the N x N matrix is (or may be formed) dense: given dense, or sparse of order at most <see cref="MaxDenseOrder"/>.</summary>
    public bool CanBeDense => dense is not null || N <= MaxDenseOrder;

    /// <summary>
    /// SHA-256 of the matrix: of its dense bytes, or of the CSR arrays for a sparse one. Ties a checkpoint to the
    /// matrix it was trained on.
    /// </summary>
    internal string Fingerprint
    {
        get
        {
            if (Sparse is null) return Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(Matrix.AsSpan())));
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            hash.AppendData(MemoryMarshal.AsBytes(Sparse.RowPointers));
            hash.AppendData(MemoryMarshal.AsBytes(Sparse.ColumnIndices));
            hash.AppendData(MemoryMarshal.AsBytes(Sparse.Values));
            return Convert.ToHexStringLower(hash.GetHashAndReset());
        }
    }

    /// <summary>
    /// <c>(A / s) ⊕ I</c> of order <paramref name="paddedN"/> ≥ N, dense row-major: the matrix a model of that order factors
    /// (the identity on the padded rows and columns).
    /// </summary>
    /// <exception cref="InvalidOperationException">The matrix is sparse and <paramref name="paddedN"/> exceeds <see cref="MaxDenseOrder"/>.</exception>
    public double[] PaddedMatrix(int paddedN)
    {
        if (paddedN < N) throw new ArgumentOutOfRangeException(nameof(paddedN), paddedN, $"The padded order must be at least N = {N}.");
        if (dense is null && paddedN > MaxDenseOrder)
            throw new InvalidOperationException(TooLargeToDensify(paddedN));
        if (paddedN == N) return Matrix.ToArray();
        var padded = new double[(long)paddedN * paddedN];
        if (Sparse is not null)
        {
            for (int i = 0; i < N; i++)
            {
                var columns = Sparse.RowColumns(i);
                var values = Sparse.RowValues(i);
                for (int k = 0; k < columns.Length; k++) padded[((long)i * paddedN) + columns[k]] = values[k];
            }
        }
        else
        {
            for (int i = 0; i < N; i++) Matrix.AsSpan(i * N, N).CopyTo(padded.AsSpan(i * paddedN, N));
        }
        for (int i = N; i < paddedN; i++) padded[((long)i * paddedN) + i] = 1;
        return padded;
    }

    /// <summary><c>y = (A / s) x</c> for vectors of length N: O(nnz) for a sparse matrix, O(N²) for a dense one or one given by entries.</summary>
    public void Apply(ReadOnlySpan<double> x, Span<double> y)
    {
        if (x.Length != N || y.Length != N) throw new ArgumentException($"The product needs vectors of length N = {N}, got {x.Length} and {y.Length}.");
        if (Sparse is not null)
        {
            Sparse.Apply(x, y);
            return;
        }
        if (dense is null && Entries is { } entries)
        {
            ApplyEntries(entries, x, y);
            return;
        }
        var matrix = Matrix;
        for (int i = 0; i < N; i++)
        {
            double sum = 0;
            var row = matrix.AsSpan(i * N, N);
            for (int j = 0; j < N; j++) sum += row[j] * x[j];
            y[i] = sum;
        }
    }

    /// <summary>The weight file's <c>"operator"</c> section.</summary>
    public OperatorProvenance ToProvenance() => new()
    {
        Name = Name,
        N = N,
        Parameters = Parameters,
        MatrixFile = MatrixFile,
    };

    private double[] Densify()
    {
        if (N > MaxDenseOrder) throw new InvalidOperationException(TooLargeToDensify(N));
        if (Sparse is not null) return Sparse.ToDense().Values;
        var all = Enumerable.Range(0, N).ToArray();
        var values = new double[(long)N * N];
        Entries!.Block(all, all, values);
        return values;
    }

    /// <summary>The product row block by row block (64 rows of entries at a time), never holding the matrix.</summary>
    private void ApplyEntries(IMatrixEntries entries, ReadOnlySpan<double> x, Span<double> y)
    {
        const int rowsPerBlock = 64;
        var all = Enumerable.Range(0, N).ToArray();
        var block = new double[rowsPerBlock * N];
        for (int start = 0; start < N; start += rowsPerBlock)
        {
            int count = Math.Min(rowsPerBlock, N - start);
            entries.Block(all.AsSpan(start, count), all, block);
            for (int r = 0; r < count; r++)
            {
                double sum = 0;
                var row = block.AsSpan(r * N, N);
                for (int j = 0; j < N; j++) sum += row[j] * x[j];
                y[start + r] = sum;
            }
        }
    }

    private string TooLargeToDensify(int order) =>
        $"the {N} x {N} {(Sparse is not null ? "sparse matrix" : "matrix")} '{Name}' would need a dense order-{order} copy, larger than the {MaxDenseOrder} training and dense metrics allow; factor it exactly ('genlu factor') instead.";

    private static int SquareOrder(CsrMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        if (matrix.Rows != matrix.Columns)
            throw new ArgumentException($"A {matrix.Rows} x {matrix.Columns} matrix is not square.", nameof(matrix));
        return matrix.Rows;
    }

    private static int FirstNonFinite(ReadOnlySpan<double> values)
    {
        for (int i = 0; i < values.Length; i++)
            if (!double.IsFinite(values[i])) return i;
        return -1;
    }
}
