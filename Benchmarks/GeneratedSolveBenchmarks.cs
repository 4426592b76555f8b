using BenchmarkDotNet.Attributes;
using GenLu.Benchmarks.Support;
using GenLu.Dense;
using GenLu.Gfmm;

namespace GenLu.Benchmarks;

/// <summary>The seeded, well-conditioned M = 8, P = 32 model (N = 256, scale 3) compiled in by the generator;
/// the Runtime benchmarks load the same file.</summary>
[GenLu.GfmmSolver("Models/wellconditioned-m8p32.gfmm.json")]
internal static partial class GeneratedM8P32 { }

/// <summary>The same model as a double solver (<c>Precision = Double</c>: the weights widened, the G_i factored in double).</summary>
[GenLu.GfmmSolver("Models/wellconditioned-m8p32.gfmm.json", Precision = GenLu.GfmmPrecision.Double)]
internal static partial class GeneratedM8P32Double { }

/// <summary>Seeded inputs shared by the generated-solver benchmarks.</summary>
internal static class GeneratedSolveInputs
{
    public static GfmmModel LoadModel() =>
        GfmmModel.Load(Path.Combine(AppContext.BaseDirectory, "Models", "wellconditioned-m8p32.gfmm.json"));

    public static float[] RandomVector(int n, int seed)
    {
        var random = new Random(seed);
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float)(2 * random.NextDouble() - 1);
        return v;
    }
}

/// <summary>
/// One right-hand side of <c>A x = b</c> for the same model three ways: the generated, fully unrolled solver (in float, and
/// in double: <see cref="GeneratedDouble"/>); the Runtime's structured solve (<see cref="GfmmSolver"/>, same O(N P) algorithm, schedule decided at run time);
/// and a dense LU solve (<see cref="DenseLu"/>, getrs on the dense <c>s · L U</c> factored in setup, O(N²)).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(SuiteConfig))]
public class GeneratedSolveBenchmarks
{
    private GfmmSolver runtime = null!;
    private GfmmWorkspace workspace = null!;
    private float[] denseLu = [];
    private int[] perm = [];
    private float[] b = [];
    private float[] x = [];
    private double[] b64 = [];
    private double[] x64 = [];

    [GlobalSetup]
    public void Setup()
    {
        var model = GeneratedSolveInputs.LoadModel();
        runtime = new GfmmSolver(model);
        workspace = runtime.CreateWorkspace();
        denseLu = Array.ConvertAll(model.ToDense(), v => (float)v);
        perm = new int[model.N];
        DenseLu.Factor<float>(denseLu, model.N, MatrixLayout.RowMajor, perm);
        b = GeneratedSolveInputs.RandomVector(model.N, seed: 42);
        x = new float[model.N];
        b64 = Array.ConvertAll(b, v => (double)v);
        x64 = new double[model.N];
    }

    [Benchmark(Baseline = true)]
    public float[] Generated()
    {
        GeneratedM8P32.Solve(b, x);
        return x;
    }

    [Benchmark]
    public double[] GeneratedDouble()
    {
        GeneratedM8P32Double.Solve(b64, x64);
        return x64;
    }

    [Benchmark]
    public float[] RuntimeStructured()
    {
        runtime.Solve(b, x, workspace);
        return x;
    }

    [Benchmark]
    public float[] DenseLuSolve()
    {
        b.CopyTo(x, 0);
        DenseLu.Solve<float>(denseLu, x.Length, MatrixLayout.RowMajor, perm, x);
        return x;
    }
}

/// <summary>The product <c>y = s · L U x</c>, generated versus the Runtime's <see cref="GfmmModel.Apply(ReadOnlySpan{float}, Span{float}, GfmmWorkspace)"/>.</summary>
[MemoryDiagnoser]
[Config(typeof(SuiteConfig))]
public class GeneratedApplyBenchmarks
{
    private GfmmModel model = null!;
    private GfmmWorkspace workspace = null!;
    private float[] x = [];
    private float[] y = [];

    [GlobalSetup]
    public void Setup()
    {
        model = GeneratedSolveInputs.LoadModel();
        workspace = model.CreateWorkspace();
        x = GeneratedSolveInputs.RandomVector(model.N, seed: 43);
        y = new float[model.N];
    }

    [Benchmark(Baseline = true)]
    public float[] Generated()
    {
        GeneratedM8P32.Apply(x, y);
        return y;
    }

    [Benchmark]
    public float[] RuntimeStructured()
    {
        model.Apply(x, y, workspace);
        return y;
    }
}
