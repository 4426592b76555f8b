using System.Runtime.InteropServices;
using System.Security.Cryptography;
using GenLu.Gfmm;
using GenLu.Operators;

namespace GenLu.Trainer.Training;

/// <summary>
/// The matrix to factor: <c>A / s</c> (row-major, N x N) with its scale <c>s</c> and where it came from
/// (recorded as the model's <see cref="OperatorProvenance"/>).
/// </summary>
public sealed class TrainingProblem
{
    /// <summary>
    /// A problem from an already scaled matrix (copied): <paramref name="scaledMatrix"/> is <c>A / s</c>,
    /// <paramref name="scale"/> is <c>s</c>. <paramref name="parameters"/> and <paramref name="matrixFile"/> are
    /// provenance only (a built-in operator's settings, or the file the matrix was read from).
    /// </summary>
    public TrainingProblem(string name, int n, ReadOnlySpan<double> scaledMatrix, double scale,
        IReadOnlyDictionary<string, double>? parameters = null, string? matrixFile = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "The matrix order must be >= 1.");
        if (scaledMatrix.Length != (long)n * n)
            throw new ArgumentException($"A {n} x {n} matrix has {(long)n * n} entries, but {scaledMatrix.Length} were given.", nameof(scaledMatrix));
        if (!(scale > 0 && double.IsFinite(scale))) throw new ArgumentOutOfRangeException(nameof(scale), scale, "The scale must be finite and > 0.");
        int bad = FirstNonFinite(scaledMatrix);
        if (bad >= 0) throw new ArgumentException($"Entry ({bad / n}, {bad % n}) of the matrix is not finite.", nameof(scaledMatrix));
        Name = name;
        N = n;
        Matrix = scaledMatrix.ToArray();
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

    /// <summary>The operator's name (recorded in the model).</summary>
    public string Name { get; }

    /// <summary>The matrix order.</summary>
    public int N { get; }

    /// <summary>The operator divided by <see cref="Scale"/>: what L·U is fitted to.</summary>
    internal double[] Matrix { get; }

    /// <summary>The scale <c>s</c> the operator was divided by (the model's <see cref="GfmmModel.Scale"/>).</summary>
    public double Scale { get; }

    /// <summary>A built-in operator's parameter values (empty for a matrix file).</summary>
    public IReadOnlyDictionary<string, double> Parameters { get; }

    /// <summary>The full path of the matrix file the problem was read from, if any.</summary>
    public string? MatrixFile { get; }

    /// <summary>SHA-256 of the matrix bytes: ties a checkpoint to the matrix it was trained on.</summary>
    internal string Fingerprint => Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(Matrix.AsSpan())));

    /// <summary>The weight file's <c>"operator"</c> section.</summary>
    public OperatorProvenance ToProvenance() => new()
    {
        Name = Name,
        N = N,
        Parameters = Parameters,
        MatrixFile = MatrixFile,
    };

    private static int FirstNonFinite(ReadOnlySpan<double> values)
    {
        for (int i = 0; i < values.Length; i++)
            if (!double.IsFinite(values[i])) return i;
        return -1;
    }
}
