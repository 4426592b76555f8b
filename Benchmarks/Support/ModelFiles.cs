namespace GenLu.Benchmarks.Support;

/// <summary>
/// The weight files the generated solvers are compiled from (<c>Benchmarks/Models</c>), all written by
/// <c>make-models</c> from <see cref="BenchmarkModels.Create"/>, byte for byte the same on every run:
/// N = 256 and 1024 (0.5 and 2.3 MB) are committed; N = 4096 (9.8 MB) is kept out of git, and its solver is
/// compiled only once the file exists (the project then defines GENLU_MODEL_N4096): embedding it costs the
/// compiler about 30 s and 4 GB, which the default build of a fresh clone should not pay.
/// </summary>
/// <remarks>
/// N = 16384 is not embedded: 29.5 MB of weights, four times the N = 4096 model. The Runtime structured
/// solve (the same algorithm, weights in arrays) covers it.
/// </remarks>
internal static class ModelFiles
{
    /// <summary>The orders that have a generated solver once their file exists.</summary>
    public static IEnumerable<int> GeneratedOrders => [256, 1024, 4096];

    /// <summary>The exact factors of the tridiagonal 1D Laplacian at N = 4096 (M = 128, P = 32; only G_i and the level-0
    /// bridges are stored): the generated banded solve beside CHOLMOD and pttrs in PeerSolveBenchmarks.</summary>
    public const string ExactLaplacianFile = "laplacian1d-n4096-exact.gfmm.json";

    /// <summary>The operator and order of <see cref="ExactLaplacianFile"/>.</summary>
    public const string ExactLaplacianOperator = "laplacian1d";

    public const int ExactLaplacianOrder = 4096;

    /// <summary>Writes the deterministic model of every generated order, and the exact Laplacian model, into
    /// <paramref name="directory"/>; returns the paths.</summary>
    public static IReadOnlyList<string> Write(string directory)
    {
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"The models directory '{Path.GetFullPath(directory)}' does not exist: run from the repository root, or pass the directory (Benchmarks/Models) as the argument after make-models.");
        var paths = new List<string>();
        foreach (int n in GeneratedOrders)
        {
            string path = Path.Combine(directory, BenchmarkModels.FileName(n));
            BenchmarkModels.Create(n).Save(path);
            paths.Add(path);
        }
        string exact = Path.Combine(directory, ExactLaplacianFile);
        PeerCase.Get(ExactLaplacianOperator, ExactLaplacianOrder).BuildModel().Save(exact);
        paths.Add(exact);
        return paths;
    }
}
