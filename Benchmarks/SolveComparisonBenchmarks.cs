using BenchmarkDotNet.Attributes;
using GenLu.Trainer.Tuning.Peers;
using GenLu.Benchmarks.Support;
using MathNet.Numerics.Providers.LinearAlgebra;
using GenLu.Dense;
using GenLu.Gfmm;

namespace GenLu.Benchmarks;

/// <summary>
/// One solve of <c>A x = b</c> (or 64 at once) with the same A = s·L·U at the same N, P = 32, float32:
/// GenLu's source-generated solver (N = 256 to 4096, see <see cref="ModelFiles"/>) and the Runtime's
/// structured GFMM solve (the baseline: it runs at every N) against dense getrs on the factors of A —
/// GenLu's, OpenBLAS sgetrs (one thread) and MathNet's managed provider. The dense factors are computed once per benchmark case in
/// GlobalSetup; only the solves are timed. The in-place getrs methods first copy b into x (N·Rhs floats),
/// the same traffic as the out-of-place structured solve reading b and writing x.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(SuiteConfig))]
public class SolveComparisonBenchmarks
{
    private const string DenseCap = "dense N x N float factors are 1 GiB at N = 16384, and building and factoring them takes minutes per benchmark case";

    private const string MathNetBatchCap = "MathNet's managed getrs takes 0.6-1.9 s for 64 right-hand sides at N = 1024 and grows as N², 10-30 s per call at N = 4096";

    private GfmmSolver _structured = null!;
    private GfmmWorkspace _workspace = null!;
    private DenseFactors _dense = null!;
    private ILinearAlgebraProvider _mathNet = null!;
    private float[] _b = [];
    private float[] _x = [];
    private float[] _expected = [];

    [ParamsSource(nameof(Orders))]
    public int N { get; set; }

    [Params(1, 64)]
    public int Rhs { get; set; }

    public static IEnumerable<int> Orders => BenchmarkModels.Orders;

    [GlobalSetup(Target = nameof(Structured))]
    public void SetupStructured() => SetupCommon();

    [GlobalSetup(Target = nameof(Generated))]
    public void SetupGenerated()
    {
        SetupCommon();
        Check(Generated);
    }

    [GlobalSetup(Target = nameof(GenLuDense))]
    public void SetupGenLuDense() => SetupDense(GenLuDense);

    [GlobalSetup(Target = nameof(OpenBlasSgetrs))]
    public void SetupOpenBlas() => SetupDense(OpenBlasSgetrs);

    [GlobalSetup(Target = nameof(MathNetManaged))]
    public void SetupMathNet()
    {
        _mathNet = DenseLuInputs.UseManagedSingleThreadedMathNet();
        SetupDense(MathNetManaged);
    }

    /// <summary>The source-generated solver (weights embedded, straight-line code; 64 right-hand sides go through in panels of 16).</summary>
    [Benchmark, RequiresGeneratedSolver]
    public void Generated() => GeneratedSolvers.Solve(N, _b, _x, Rhs);

    /// <summary>The Runtime's structured solve (64 right-hand sides go through the sweeps together, as a panel).</summary>
    [Benchmark(Baseline = true)]
    public void Structured() => _structured.Solve(_b, _x, Rhs, _workspace);

    [Benchmark, MaxOrder(4096, DenseCap)]
    public void GenLuDense()
    {
        _b.CopyTo(_x, 0);
        DenseLu.Solve<float>(_dense.Lu, N, N, MatrixLayout.ColumnMajor, _dense.Permutation, _x, Rhs);
    }

    [Benchmark, RequiresOpenBlas, MaxOrder(4096, DenseCap)]
    public void OpenBlasSgetrs()
    {
        _b.CopyTo(_x, 0);
        OpenBlas.Getrs(_dense.Lu, N, _dense.LapackPivots, _x, Rhs);
    }

    [Benchmark, MaxOrder(4096, DenseCap), MaxOrder(1024, MathNetBatchCap, Rhs = 64)]
    public void MathNetManaged()
    {
        _b.CopyTo(_x, 0);
        _mathNet.LUSolveFactored(Rhs, _dense.Lu, N, _dense.ZeroBasedPivots, _x);
    }

    private GfmmModel SetupCommon()
    {
        var model = BenchmarkModels.Create(N);
        _structured = new GfmmSolver(model);
        _workspace = _structured.CreateWorkspace(Rhs);
        _b = BenchmarkModels.RandomVectors(N, Rhs, seed: 7);
        _x = new float[_b.Length];
        _expected = new float[_b.Length];
        _structured.Solve(_b, _expected, Rhs, _workspace);
        return model;
    }

    private void SetupDense(Action solve)
    {
        _dense = DenseFactors.Of(SetupCommon());
        Check(solve);
    }

    private void Check(Action solve)
    {
        solve();
        SolveCheck.Agree(_expected, _x, solve.Method.Name);
    }
}
