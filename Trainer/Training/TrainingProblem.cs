using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace GenLu.Trainer.Training;

/// <summary>
/// The matrix to factor: <c>A / s</c> (row-major, N x N) with its scale <c>s</c> and where it came from.
/// </summary>
internal sealed class TrainingProblem
{
    public TrainingProblem(string name, int n, double[] scaledMatrix, double scale, JsonObject? parameters = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(scaledMatrix);
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "The matrix order must be >= 1.");
        if (scaledMatrix.Length != (long)n * n)
            throw new ArgumentException($"A {n} x {n} matrix has {(long)n * n} entries, but {scaledMatrix.Length} were given.", nameof(scaledMatrix));
        if (!(scale > 0 && double.IsFinite(scale))) throw new ArgumentOutOfRangeException(nameof(scale), scale, "The scale must be finite and > 0.");
        int bad = Array.FindIndex(scaledMatrix, v => !double.IsFinite(v));
        if (bad >= 0) throw new ArgumentException($"Entry ({bad / n}, {bad % n}) of the matrix is not finite.", nameof(scaledMatrix));
        Name = name;
        N = n;
        Matrix = scaledMatrix;
        Scale = scale;
        Parameters = parameters ?? [];
    }

    public string Name { get; }
    public int N { get; }

    /// <summary>The operator divided by <see cref="Scale"/>: what L·U is fitted to.</summary>
    public double[] Matrix { get; }

    public double Scale { get; }
    public JsonObject Parameters { get; }

    /// <summary>SHA-256 of the matrix bytes: ties a checkpoint to the matrix it was trained on.</summary>
    public string Fingerprint => Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(Matrix.AsSpan())));

    /// <summary>The weight file's <c>"operator"</c> section.</summary>
    public JsonObject ToProvenance() => new()
    {
        ["name"] = Name,
        ["N"] = N,
        ["parameters"] = Parameters.DeepClone(),
    };
}
