using GenLu.Gfmm;

namespace GenLu.Benchmarks.Support;

/// <summary>
/// The models every solve benchmark runs on: <see cref="GfmmRandom.WellConditioned"/> weights, seeded by the
/// order N, with P = 32. The weights are random, not trained: a solve's time depends on the shape (M, P)
/// alone — it applies every tensor exactly once whatever its values — so these timings hold for trained
/// models of the same shape, and the random models are well-conditioned, so dense LU needs no unusual pivoting.
/// </summary>
internal static class BenchmarkModels
{
    /// <summary>Block size of every benchmarked model.</summary>
    public const int P = 32;

    /// <summary>The orders the solve suites compare: M = 8, 32, 128 and 512 leaf blocks.</summary>
    public static IEnumerable<int> Orders => [256, 1024, 4096, 16384];

    public static int LeafCount(int n)
    {
        if (n < 2 * P || n % P != 0 || !int.IsPow2(n / P))
            throw new ArgumentOutOfRangeException(nameof(n), n, $"The order must be P = {P} times a power of two >= 2.");
        return n / P;
    }

    /// <summary>The deterministic model of order <paramref name="n"/> (the same weights on every machine and run).</summary>
    public static GfmmModel Create(int n) => GfmmRandom.WellConditioned(LeafCount(n), P, seed: n);

    /// <summary>Name of the weight file of order <paramref name="n"/>, as <c>make-models</c> writes it.</summary>
    public static string FileName(int n) => $"random-n{n}-p{P}.gfmm.json";

    /// <summary><paramref name="count"/> right-hand sides of length <paramref name="n"/>, one after another, uniform in [-1, 1), seeded.</summary>
    public static float[] RandomVectors(int n, int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[n * count];
        for (int i = 0; i < values.Length; i++)
            values[i] = (2 * random.NextSingle()) - 1;
        return values;
    }
}
