using GenLu.Benchmarks.Support;
using GenLu.Gfmm;

namespace GenLu.Benchmarks;

/// <summary>The source-generated solver of the N = 256 benchmark model (M = 8, P = 32).</summary>
[GfmmSolver("Models/random-n256-p32.gfmm.json")]
internal static partial class GeneratedN256;

/// <summary>The source-generated solver of the N = 1024 benchmark model (M = 32, P = 32).</summary>
[GfmmSolver("Models/random-n1024-p32.gfmm.json")]
internal static partial class GeneratedN1024;

#if GENLU_MODEL_N4096
/// <summary>The source-generated solver of the N = 4096 benchmark model (M = 128, P = 32), once make-models wrote its file.</summary>
[GfmmSolver("Models/random-n4096-p32.gfmm.json")]
internal static partial class GeneratedN4096;
#endif

#if GENLU_MODEL_LAPLACIAN1D_N4096
/// <summary>The source-generated solver of the 1D Laplacian's exact factors at N = 4096 (banded: its far field is zero, so
/// the generated code has no far-field products), once make-models wrote its file.</summary>
[GfmmSolver("Models/laplacian1d-n4096-exact.gfmm.json")]
internal static partial class GeneratedLaplacian1dN4096;
#endif

/// <summary>Picks the generated solver of an order (a switch on constants: nothing beside the solve itself).</summary>
internal static class GeneratedSolvers
{
    public static bool IsCompiled(int n) => n switch
    {
        GeneratedN256.N or GeneratedN1024.N => true,
#if GENLU_MODEL_N4096
        GeneratedN4096.N => true,
#endif
        _ => false,
    };

    /// <summary>Whether the exact 1D Laplacian model (N = 4096) was compiled (make-models writes it).</summary>
    public static bool ExactLaplacianCompiled =>
#if GENLU_MODEL_LAPLACIAN1D_N4096
        true;
#else
        false;
#endif

    /// <summary>One solve with the exact 1D Laplacian model's generated class (N = 4096).</summary>
    public static void SolveExactLaplacian(ReadOnlySpan<float> b, Span<float> x)
    {
#if GENLU_MODEL_LAPLACIAN1D_N4096
        GeneratedLaplacian1dN4096.Solve(b, x);
#else
        throw new InvalidOperationException($"the exact Laplacian model is not compiled: run make-models ({ModelFiles.ExactLaplacianFile}).");
#endif
    }

    /// <summary>Why an order has no compiled generated solver, for the run's notes.</summary>
    public static string MissingReason(int n) => ModelFiles.GeneratedOrders.Contains(n)
        ? $"the generated solver for N = {n} is not compiled: run 'dotnet run -c Release --project Benchmarks -- make-models' once, then the benchmarks again"
        : $"N = {n} has no generated solver (its weights are too large to embed); the Runtime structured solve covers it";

    /// <summary>Scratch for full-width panels of every compiled solver (BatchScratchLength floats; at N = 4096 it
    /// exceeds what the overloads without scratch put on the stack). One array: the benchmarks run on one thread.</summary>
    private static readonly float[] Scratch = new float[new[]
    {
        GeneratedN256.BatchScratchLength,
        GeneratedN1024.BatchScratchLength,
#if GENLU_MODEL_N4096
        GeneratedN4096.BatchScratchLength,
#endif
    }.Max()];

    /// <summary><paramref name="count"/> solves of order <paramref name="n"/>, right-hand sides one after another.</summary>
    public static void Solve(int n, ReadOnlySpan<float> b, Span<float> x, int count)
    {
        switch (n)
        {
            case GeneratedN256.N: GeneratedN256.Solve(b, x, count, Scratch); break;
            case GeneratedN1024.N: GeneratedN1024.Solve(b, x, count, Scratch); break;
#if GENLU_MODEL_N4096
            case GeneratedN4096.N: GeneratedN4096.Solve(b, x, count, Scratch); break;
#endif
            default: throw new ArgumentOutOfRangeException(nameof(n), n, MissingReason(n));
        }
    }
}
