using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using GenLu.Benchmarks.Support;
using GenLu.Gfmm;

namespace GenLu.Benchmarks;

/// <summary>
/// 64 right-hand sides at N = 4096 (M = 128, P = 32), one thread against all cores, both in this run: the Runtime's
/// <see cref="GfmmSolver.Solve(ReadOnlySpan{float}, Span{float}, int, GfmmWorkspace)"/> with a workspace of 16 vectors
/// against <see cref="GfmmSolver.SolveParallel"/> with the same panels, and the generated class's batched
/// <c>Solve(b, x, count, scratch)</c> against its <c>SolveParallel(b, x, count)</c>. Two more Runtime rows: the whole batch as
/// one serial panel (the Runtime's fastest serial call) and one panel per thread in parallel. The generated pair needs the N = 4096
/// model (make-models); without it the pair runs on the N = 1024 class and says so in its category.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[Config(typeof(SuiteConfig))]
public class ParallelSolveBenchmarks
{
    private const int Rhs = 64;
    private const int N = 4096;
#if GENLU_MODEL_N4096
    private const string GeneratedCategory = "Generated N=4096";
#else
    private const string GeneratedCategory = "Generated N=1024 (no N=4096 model)";
#endif

    private GfmmSolver solver = null!;
    private GfmmWorkspace serialWorkspace = null!;
    private GfmmParallelWorkspace parallelWorkspace = null!;
    private GfmmWorkspace wideWorkspace = null!;
    private GfmmParallelWorkspace wideParallelWorkspace = null!;
    private float[] b = [];
    private float[] x = [];
    private float[] generatedB = [];
    private float[] generatedX = [];
    private float[] generatedScratch = [];

    [GlobalSetup]
    public void Setup()
    {
        solver = new GfmmSolver(BenchmarkModels.Create(N));
        serialWorkspace = solver.CreateWorkspace(GfmmParallelWorkspace.DefaultBatchCapacity);
        parallelWorkspace = solver.CreateParallelWorkspace();
        // The fastest serial panel (the whole batch) and, in parallel, one panel per thread.
        wideWorkspace = solver.CreateWorkspace(Rhs);
        wideParallelWorkspace = solver.CreateParallelWorkspace(batchCapacity: (Rhs + Environment.ProcessorCount - 1) / Environment.ProcessorCount);
        b = BenchmarkModels.RandomVectors(N, Rhs, seed: 64);
        x = new float[b.Length];
#if GENLU_MODEL_N4096
        generatedB = BenchmarkModels.RandomVectors(GeneratedN4096.N, Rhs, seed: 65);
        generatedScratch = new float[GeneratedN4096.BatchScratchLength];
#else
        generatedB = BenchmarkModels.RandomVectors(GeneratedN1024.N, Rhs, seed: 65);
        generatedScratch = new float[GeneratedN1024.BatchScratchLength];
#endif
        generatedX = new float[generatedB.Length];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        parallelWorkspace.Dispose();
        wideParallelWorkspace.Dispose();
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Runtime N=4096")]
    public float[] RuntimeOneThread()
    {
        solver.Solve(b, x, Rhs, serialWorkspace);
        return x;
    }

    [Benchmark, BenchmarkCategory("Runtime N=4096")]
    public float[] RuntimeAllCores()
    {
        solver.SolveParallel(b, x, Rhs, parallelWorkspace);
        return x;
    }

    [Benchmark, BenchmarkCategory("Runtime N=4096")]
    public float[] RuntimeOneThreadOnePanel()
    {
        solver.Solve(b, x, Rhs, wideWorkspace);
        return x;
    }

    [Benchmark, BenchmarkCategory("Runtime N=4096")]
    public float[] RuntimeAllCoresPanelPerThread()
    {
        solver.SolveParallel(b, x, Rhs, wideParallelWorkspace);
        return x;
    }

    [Benchmark(Baseline = true), BenchmarkCategory(GeneratedCategory)]
    public float[] GeneratedOneThread()
    {
#if GENLU_MODEL_N4096
        GeneratedN4096.Solve(generatedB, generatedX, Rhs, generatedScratch);
#else
        GeneratedN1024.Solve(generatedB, generatedX, Rhs, generatedScratch);
#endif
        return generatedX;
    }

    [Benchmark, BenchmarkCategory(GeneratedCategory)]
    public float[] GeneratedAllCores()
    {
#if GENLU_MODEL_N4096
        GeneratedN4096.SolveParallel(generatedB, generatedX, Rhs);
#else
        GeneratedN1024.SolveParallel(generatedB, generatedX, Rhs);
#endif
        return generatedX;
    }
}
