using GenLu.Benchmarks.Support;

namespace GenLu.Benchmarks;

/// <summary>The source-generated solver of the N = 256 benchmark model (M = 8, P = 32).</summary>
[GfmmSolver("Models/random-n256-p32.gfmm.json")]
internal static partial class GeneratedN256;

/// <summary>The source-generated solver of the N = 1024 benchmark model (M = 32, P = 32).</summary>
[GfmmSolver("Models/random-n1024-p32.gfmm.json")]
internal static partial class GeneratedN1024;

/// <summary>Picks the generated solver of an order (a switch on constants: nothing beside the solve itself).</summary>
internal static class GeneratedSolvers
{
    public static bool IsCompiled(int n) => ModelFiles.GeneratedOrders.Contains(n);

    /// <summary><paramref name="count"/> solves of order <paramref name="n"/>, right-hand sides one after another.</summary>
    public static void Solve(int n, ReadOnlySpan<float> b, Span<float> x, int count)
    {
        switch (n)
        {
            case GeneratedN256.N: GeneratedN256.Solve(b, x, count); break;
            case GeneratedN1024.N: GeneratedN1024.Solve(b, x, count); break;
            default: throw new ArgumentOutOfRangeException(nameof(n), n, $"No generated solver for N = {n}: only N = 256 and 1024 are embedded (see ModelFiles).");
        }
    }
}
