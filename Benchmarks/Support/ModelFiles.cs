namespace GenLu.Benchmarks.Support;

/// <summary>
/// The weight files the generated solvers are compiled from (<c>Benchmarks/Models</c>, committed:
/// 0.5 MB for N = 256, 2.3 MB for N = 1024). <c>make-models</c> rewrites them from
/// <see cref="BenchmarkModels.Create"/>, byte for byte the same.
/// </summary>
/// <remarks>
/// Larger orders are not embedded. The generator writes weights as byte collection expressions, and
/// compiling the N = 4096 model (7.3 MB of weights, ~37 MB of source) had taken the C# compiler over
/// 13 GB of memory and 14 minutes when it was stopped; N = 16384 is four times larger again. The Runtime
/// structured solve (the same algorithm, weights in arrays) covers those orders.
/// </remarks>
internal static class ModelFiles
{
    /// <summary>The orders with a generated solver.</summary>
    public static IEnumerable<int> GeneratedOrders => [256, 1024];

    /// <summary>Writes the deterministic model of every generated order into <paramref name="directory"/>; returns the paths.</summary>
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
        return paths;
    }
}
