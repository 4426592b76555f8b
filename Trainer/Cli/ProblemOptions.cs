using System.CommandLine;
using System.Globalization;
using GenLu.Gfmm;
using GenLu.IO;
using GenLu.Operators;
using GenLu.Sparse;
using GenLu.Structure;
using GenLu.Trainer.Training;

namespace GenLu.Trainer.Cli;

/// <summary>
/// The options that choose the matrix: a built-in operator (<c>--operator</c>, sized by <c>--n</c> or
/// <c>--grid</c>, tuned by <c>--param name=value</c>) or a file (<c>--matrix</c>, Matrix Market or .npy).
/// </summary>
internal sealed class ProblemOptions
{
    public Option<string?> Operator { get; } = new("--operator") { Description = "A built-in operator (see 'genlu operators')." };
    public Option<int?> Size { get; } = new("--n") { Description = "Order n of a 1D operator (default: M * P, i.e. 256 with the default M and P)." };
    public Option<int?> Grid { get; } = new("--grid") { Description = "Grid side g of a 2D operator, N = g * g (default: sqrt(M * P), i.e. 16)." };
    public Option<string[]> Parameters { get; } = new("--param") { Description = "An operator parameter, name=value (repeatable).", AllowMultipleArgumentsPerToken = false };
    public Option<FileInfo?> Matrix { get; } = new("--matrix") { Description = "A square matrix file of any order: Matrix Market (.mtx; coordinate files stay sparse) or NumPy (.npy); divided by max |A_ij|." };

    public void AddTo(Command command)
    {
        command.Options.Add(Operator);
        command.Options.Add(Size);
        command.Options.Add(Grid);
        command.Options.Add(Parameters);
        command.Options.Add(Matrix);
    }

    /// <summary>True when the command line names a matrix (an operator or a file).</summary>
    public bool IsGiven(ParseResult result) => result.GetValue(Operator) is not null || result.GetValue(Matrix) is not null;

    /// <summary>The problem the options describe, of order <paramref name="expectedN"/>; <paramref name="defaultOperator"/> when none is named.</summary>
    public TrainingProblem Resolve(ParseResult result, int expectedN, string defaultOperator = "laplacian1d")
    {
        var (name, file, n, grid, parameters) = Read(result);
        // The order from the command line or a Matrix Market header, compared before anything of size N² is built.
        int? order = file is not null ? (IsMatrixMarket(file.FullName) ? MatrixMarketOrder(file.FullName) : null) : OperatorOrder(name ?? defaultOperator, n, grid);
        if (order is { } declared && declared != expectedN)
            throw new CliException($"the matrix is {declared} x {declared}, but the model's order is N = {expectedN}.");
        var problem = file is not null ? FromFile(file.FullName) : FromOperator(name ?? defaultOperator, n, grid, parameters, expectedN);
        if (problem.N != expectedN)
            throw new CliException($"the matrix is {problem.N} x {problem.N}, but the model's order is N = {expectedN}.");
        return problem;
    }

    /// <summary>
    /// The problem and the block layout for it. <c>--m</c>/<c>--p</c> as given; otherwise P = <see cref="TrainingOptions.P"/>
    /// (32) and, when the order N is known (a matrix file's header, <c>--n</c> or <c>--grid</c>), the smallest power-of-two
    /// M ≥ 2 with M·P ≥ N (<see cref="TrainingOptions.LeavesFor"/>); with N unknown M = <see cref="TrainingOptions.M"/> (8)
    /// and the built-in operator gets order M·P. M·P &lt; N is refused before the matrix is read (a file's header only).
    /// </summary>
    public (TrainingProblem Problem, int M, int P) ResolveWithLayout(ParseResult result, Option<int?> leaves, Option<int?> blockSize, string defaultOperator = "laplacian1d")
    {
        var defaults = new TrainingOptions();
        var (name, file, n, grid, parameters) = Read(result);
        int? givenM = result.GetValue(leaves), givenP = result.GetValue(blockSize);
        int p = givenP ?? defaults.P;
        if (p < 1 || p > GfmmLayout.MaxBlockSize) throw new CliException($"--p must be in 1..{GfmmLayout.MaxBlockSize}, not {p}.");
        if (givenM is { } mValue && (mValue < 2 || (mValue & (mValue - 1)) != 0))
            throw new CliException($"--m must be a power of two >= 2, not {mValue}.");

        // A .npy file is dense anyway: read it once, now. A Matrix Market file tells its order in the header.
        TrainingProblem? loaded = file is not null && !IsMatrixMarket(file.FullName) ? FromFile(file.FullName) : null;
        int? order = loaded?.N ?? (file is not null ? MatrixMarketOrder(file.FullName) : OperatorOrder(name ?? defaultOperator, n, grid));
        int m = givenM ?? (order is { } known ? TrainingOptions.LeavesFor(known, p) : defaults.M);
        long covered = (long)m * p;
        if (order is { } size && covered < size)
            throw new CliException($"M * P = {covered} (M = {m}, P = {p}) is smaller than the matrix order N = {size}; the blocks must cover it (M * P >= N: with P = {p} the smallest M is {TrainingOptions.LeavesFor(size, p)}, or leave --m out).");
        if (covered > int.MaxValue) throw new CliException($"M * P = {m} * {p} = {covered} is too large.");
        var layoutCheck = new GfmmLayout(GfmmKind.Lower, m, p); // the weight-count limit, with its own message
        var problem = loaded ?? (file is not null ? FromFile(file.FullName) : FromOperator(name ?? defaultOperator, n, grid, parameters, layoutCheck.N));
        return (problem, m, p);
    }

    /// <summary>
    /// The problem the options describe, of whatever order they give (a file's, <c>--n</c>'s or <c>--grid</c>'s); a built-in
    /// operator without either has the default order M·P = 256 (a 2D one: a 16 x 16 grid).
    /// </summary>
    public TrainingProblem ResolveAnyOrder(ParseResult result)
    {
        var (name, file, n, grid, parameters) = Read(result);
        var defaults = new TrainingOptions();
        return file is not null ? FromFile(file.FullName) : FromOperator(name!, n, grid, parameters, defaults.M * defaults.P);
    }

    private (string? Name, FileInfo? File, int? N, int? Grid, string[] Parameters) Read(ParseResult result)
    {
        string? name = result.GetValue(Operator);
        FileInfo? file = result.GetValue(Matrix);
        int? n = result.GetValue(Size), grid = result.GetValue(Grid);
        string[] parameters = result.GetValue(Parameters) ?? [];
        if (name is not null && file is not null) throw new CliException("give either --operator or --matrix, not both.");
        if (file is not null && (n is not null || grid is not null || parameters.Length > 0))
            throw new CliException("--n, --grid and --param describe a built-in operator; they cannot be used with --matrix.");
        return (name, file, n, grid, parameters);
    }

    /// <summary>The order of a built-in operator when <c>--n</c> or <c>--grid</c> gives it (null: it follows M·P).</summary>
    private static int? OperatorOrder(string name, int? n, int? grid)
    {
        var descriptor = FindOperator(name);
        int? size = descriptor.IsGrid ? grid : n;
        if (size is < 1) throw new CliException($"{(descriptor.IsGrid ? "--grid" : "--n")} must be >= 1, not {size}.");
        if (size is not { } known) return null;
        long order = descriptor.IsGrid ? (long)known * known : known;
        if (order > int.MaxValue) throw new CliException($"--grid {known} gives N = {order}, too large.");
        return (int)order;
    }

    /// <summary>The problem a model's <c>"operator"</c> provenance names (a built-in operator or a file).</summary>
    public static TrainingProblem FromProvenance(OperatorProvenance? provenance)
    {
        if (provenance?.Name is not { } name)
            throw new CliException("the model does not record its operator; give --operator or --matrix.");
        if (provenance.MatrixFile is { } path)
            return FromFile(path);
        int n = provenance.N ?? throw new CliException("the model's operator section has no N; give --operator or --matrix.");
        var descriptor = FindOperator(name);
        int size = descriptor.IsGrid ? IntegerSquareRoot(n) ?? throw new CliException($"2D operator '{name}' with N = {n}: N is not a square.") : n;
        return TrainingProblem.FromBuiltIn(name, size, provenance.Parameters);
    }

    private static TrainingProblem FromOperator(string name, int? n, int? grid, string[] parameterTexts, int expectedN)
    {
        var descriptor = FindOperator(name);
        if (descriptor.IsGrid && n is not null)
            throw new CliException($"operator '{descriptor.Name}' is 2D: give its grid side with --grid, not --n.");
        if (!descriptor.IsGrid && grid is not null)
            throw new CliException($"operator '{descriptor.Name}' is 1D: give its order with --n, not --grid.");
        int size = descriptor.IsGrid
            ? grid ?? IntegerSquareRoot(expectedN) ?? throw new CliException($"M * P = {expectedN} is not a square; give --grid for 2D operator '{descriptor.Name}'.")
            : n ?? expectedN;
        if (size < 1) throw new CliException($"{(descriptor.IsGrid ? "--grid" : "--n")} must be >= 1, not {size}.");
        return TrainingProblem.FromBuiltIn(descriptor.Name, size, ParseParameters(parameterTexts));
    }

    private static bool IsMatrixMarket(string path) => string.Equals(Path.GetExtension(path), ".mtx", StringComparison.OrdinalIgnoreCase);

    /// <summary>The order of a Matrix Market file from its header alone, before any entry is read.</summary>
    private static int MatrixMarketOrder(string path)
    {
        if (!File.Exists(path)) throw new CliException($"matrix file '{path}' does not exist.");
        var header = MatrixMarket.ReadHeader(path);
        if (header.Rows != header.Columns) throw new CliException($"matrix file '{path}' is {header.Rows} x {header.Columns}; a square matrix is needed.");
        return header.Rows;
    }

    /// <summary>
    /// A matrix file divided by max |A_ij|: a coordinate Matrix Market file into CSR (never densified; O(nnz) memory),
    /// an array-format one or a .npy dense.
    /// </summary>
    private static TrainingProblem FromFile(string path)
    {
        if (!File.Exists(path)) throw new CliException($"matrix file '{path}' does not exist.");
        string extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension == ".mtx" && MatrixMarket.ReadHeader(path).Format == MatrixMarketFormat.Coordinate)
            return FromSparseFile(path);
        DenseMatrix matrix = extension switch
        {
            ".mtx" => MatrixMarket.Read(path),
            ".npy" => NpyFile.Read(path),
            var other => throw new CliException($"matrix file '{path}': unknown extension '{other}'; use .mtx (Matrix Market) or .npy."),
        };
        if (matrix.Rows != matrix.Cols) throw new CliException($"matrix file '{path}' is {matrix.Rows} x {matrix.Cols}; a square matrix is needed.");
        // Like the reference, divide by the largest entry so that the fitted entries are O(1).
        double scale = matrix.Values.Max(Math.Abs);
        if (scale == 0) throw new CliException($"matrix file '{path}' is all zeros.");
        double[] scaled = matrix.Values.Select(v => v / scale).ToArray();
        return new TrainingProblem(Path.GetFileNameWithoutExtension(path), matrix.Rows, scaled, scale, matrixFile: Path.GetFullPath(path));
    }

    private static TrainingProblem FromSparseFile(string path)
    {
        var matrix = MatrixMarket.ReadSparse(path);
        if (matrix.Rows != matrix.Columns) throw new CliException($"matrix file '{path}' is {matrix.Rows} x {matrix.Columns}; a square matrix is needed.");
        double scale = 0;
        foreach (double value in matrix.Values) scale = Math.Max(scale, Math.Abs(value));
        if (scale == 0) throw new CliException($"matrix file '{path}' is all zeros.");
        var scaledValues = new double[matrix.NonZeroCount];
        for (int k = 0; k < scaledValues.Length; k++) scaledValues[k] = matrix.Values[k] / scale;
        var scaled = new CsrMatrix(matrix.Rows, matrix.Columns, matrix.RowPointers, matrix.ColumnIndices, scaledValues);
        return new TrainingProblem(Path.GetFileNameWithoutExtension(path), scaled, scale, matrixFile: Path.GetFullPath(path));
    }

    private static OperatorDescriptor FindOperator(string name) =>
        TestOperators.All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new CliException($"unknown operator '{name}'; known operators: {string.Join(", ", TestOperators.All.Select(d => d.Name))}.");

    private static Dictionary<string, double> ParseParameters(string[] texts)
    {
        var parameters = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (string text in texts)
        {
            int equals = text.IndexOf('=');
            if (equals <= 0 || !double.TryParse(text.AsSpan(equals + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
                throw new CliException($"--param '{text}' is not name=number.");
            parameters[text[..equals]] = value;
        }
        return parameters;
    }

    private static int? IntegerSquareRoot(int n)
    {
        int root = (int)Math.Round(Math.Sqrt(n));
        return root * root == n ? root : null;
    }

    /// <summary>
    /// The unscaled operator A the options name, of order <paramref name="expectedN"/>, for refining a solve; null when
    /// none is named. A coordinate Matrix Market file is read sparse (CSR, never densified; its size is checked from the
    /// header first); an array <c>.mtx</c>, a <c>.npy</c> or a built-in operator is dense. A file's entries are used as
    /// they are (not divided by max |A_ij| as <see cref="Resolve"/> does); a built-in operator is <c>Scale · Matrix</c>.
    /// </summary>
    public GenLu.Solvers.ILinearOperator? ResolveOperator(ParseResult result, int expectedN)
    {
        if (!IsGiven(result)) return null;
        FileInfo? file = result.GetValue(Matrix);
        if (file is null)
        {
            var op = FromOperator(result.GetValue(Operator)!, result.GetValue(Size), result.GetValue(Grid), result.GetValue(Parameters) ?? [], expectedN);
            if (op.N != expectedN) throw new CliException($"operator '{op.Name}' has order {op.N}, but the model has N = {expectedN}.");
            // A kernel too large to hold is refined against its compressed form (O(N P r) per product, exact to 1e-14).
            if (op.Entries is { } entries && !op.CanBeDense)
                return GenLu.Exact.SemiseparableMatrix.Compress(entries, scale: op.Scale);
            return GenLu.Solvers.LinearOperator.FromDense(op.Matrix.Select(v => v * op.Scale).ToArray(), op.N);
        }

        if (result.GetValue(Operator) is not null) throw new CliException("give either --operator or --matrix, not both.");
        if (result.GetValue(Size) is not null || result.GetValue(Grid) is not null || (result.GetValue(Parameters) ?? []).Length > 0)
            throw new CliException("--n, --grid and --param describe a built-in operator; they cannot be used with --matrix.");
        string path = file.FullName;
        if (!File.Exists(path)) throw new CliException($"matrix file '{path}' does not exist.");
        void CheckSize(long rows, long columns)
        {
            if (rows != columns) throw new CliException($"matrix file '{path}' is {rows} x {columns}; a square matrix is needed.");
            if (rows != expectedN) throw new CliException($"matrix file '{path}' is {rows} x {columns}, but the model has N = {expectedN}.");
        }

        switch (Path.GetExtension(path).ToLowerInvariant())
        {
            case ".mtx":
                var header = MatrixMarket.ReadHeader(path);
                CheckSize(header.Rows, header.Columns);
                if (header.Format == MatrixMarketFormat.Coordinate) return MatrixMarket.ReadSparse(path);
                return GenLu.Solvers.LinearOperator.FromDense(MatrixMarket.Read(path).Values, expectedN);
            case ".npy":
                var dense = NpyFile.Read(path);
                CheckSize(dense.Rows, dense.Cols);
                return GenLu.Solvers.LinearOperator.FromDense(dense.Values, expectedN);
            case var other:
                throw new CliException($"matrix file '{path}': unknown extension '{other}'; use .mtx (Matrix Market) or .npy.");
        }
    }
}
