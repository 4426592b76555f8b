using BenchmarkDotNet.Attributes;
using GenLu.Benchmarks.Support;
using GenLu.Gfmm;
using GenLu.Solvers;
using GenLu.Trainer.Tuning.Peers;

namespace GenLu.Benchmarks;

/// <summary>
/// One right-hand side of <c>A x = b</c> for the built-in operators, GenLu beside the solvers a user would pick instead
/// (docs/benchmarks/peers.md): GenLu's Runtime float solve with its exact P = 32 model (the baseline), GMRES to a
/// 1e-10 relative residual preconditioned by it (GenLu's time to a double-precision answer), the generated solve of a
/// model of the same shape where one is compiled (its speed depends on the shape only, up to zero-term pruning), and the
/// double-precision peers that apply: LAPACK pttrs (SPD tridiagonal), gbtrs (narrow band), CHOLMOD (symmetric),
/// UMFPACK (any sparse), getrs (dense) and hmat-oss's H-LDLᵀ (dense symmetric). Factors are built in GlobalSetup; only
/// solves are timed.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(SuiteConfig))]
public class PeerSolveBenchmarks
{
    private PeerCase _case = null!;
    private GfmmSolver _solver = null!;
    private GfmmWorkspace _workspace = null!;
    private Gmres _gmres = null!;
    private PeerSolver? _peer;
    private float[] _bFloat = [];
    private float[] _xFloat = [];
    private double[] _b = [];
    private double[] _x = [];

    [ParamsSource(nameof(Operators))]
    public string Operator { get; set; } = "";

    [Params(4096)]
    public int N { get; set; }

    public static IEnumerable<string> Operators => PeerSuite.Operators;

    /// <summary>
    /// GMRES stops at a relative residual of 1e-10, or at ten times what UMFPACK's double LU attains where that is more
    /// (the 1D biharmonic operator's condition number, about N⁴, leaves a backward-stable solve a residual near 1e-8).
    /// </summary>
    private IterativeSolveOptions _answer = new();

    [GlobalSetup(Targets = [nameof(Runtime), nameof(RuntimeGmres), nameof(Generated), nameof(GeneratedExact)])]
    public void SetupGenLu()
    {
        _case = PeerCase.Get(Operator, N);
        _solver = new GfmmSolver(_case.BuildModel());
        _workspace = _solver.CreateWorkspace();
        _gmres = new Gmres(_case.Operator(), _solver);
        _b = _case.B.ToArray();
        _x = new double[N];
        _bFloat = Array.ConvertAll(_b, v => (float)v);
        _xFloat = new float[N];
        _answer = new IterativeSolveOptions { Tolerance = _case.AnswerTolerance(1e-10), MaxIterations = 500 };
        var check = _gmres.Solve(_b, _x, _answer);
        if (!check.Converged) throw new InvalidOperationException($"GMRES with the exact model of {Operator} did not reach {_answer.Tolerance:0.0e+00} in {_answer.MaxIterations} iterations.");
        Console.WriteLine($"// {Operator} N = {N}: GMRES to {_answer.Tolerance:0.0e+00} takes {check.Iterations} iterations.");
    }

    [GlobalSetup(Target = nameof(Pttrs))]
    public void SetupPttrs() => SetupPeer(DirectPeers.Tridiagonal);

    [GlobalSetup(Target = nameof(Gbtrs))]
    public void SetupGbtrs() => SetupPeer(DirectPeers.Banded);

    [GlobalSetup(Target = nameof(Cholmod))]
    public void SetupCholmod() => SetupPeer(DirectPeers.Cholmod);

    [GlobalSetup(Target = nameof(Umfpack))]
    public void SetupUmfpack() => SetupPeer(DirectPeers.Umfpack);

    [GlobalSetup(Target = nameof(Getrs))]
    public void SetupGetrs() => SetupPeer(DirectPeers.Dense);

    [GlobalSetup(Target = nameof(Hmat))]
    public void SetupHmat() => SetupPeer(DirectPeers.Hierarchical);

    private void SetupPeer(string name)
    {
        _case = PeerCase.Get(Operator, N);
        _peer = _case.Peers.Single(p => p.Name == name).Factor!();
        _b = _case.B.ToArray();
        _x = new double[N];
        _peer.Solve(_b, _x);
        // The peer factors A / s: check that its answer is backward stable before timing it.
        double backward = _case.BackwardError(_x);
        if (!(backward < 1e-13)) throw new InvalidOperationException($"{name} on {Operator}: backward error {backward:0.0e+00}.");
    }

    [GlobalCleanup]
    public void Cleanup() => _peer?.Dispose();

    [Benchmark(Baseline = true)]
    public float[] Runtime()
    {
        _solver.Solve(_bFloat, _xFloat, _workspace);
        return _xFloat;
    }

    [Benchmark]
    public double[] RuntimeGmres()
    {
        _gmres.Solve(_b, _x, _answer);
        return _x;
    }

    [Benchmark]
    [RequiresGeneratedSolver]
    public float[] Generated()
    {
        GeneratedSolvers.Solve(N, _bFloat, _xFloat, 1);
        return _xFloat;
    }

    /// <summary>The generated solve of this operator's own exact model (the 1D Laplacian only: its far field is zero, so the
    /// generated code has no far-field products at all).</summary>
    [Benchmark]
    [RequiresGeneratedExactModel]
    public float[] GeneratedExact()
    {
        GeneratedSolvers.SolveExactLaplacian(_bFloat, _xFloat);
        return _xFloat;
    }

    [Benchmark, RequiresPeer(DirectPeers.Tridiagonal)]
    public double[] Pttrs() => PeerSolve();

    [Benchmark, RequiresPeer(DirectPeers.Banded)]
    public double[] Gbtrs() => PeerSolve();

    [Benchmark, RequiresPeer(DirectPeers.Cholmod)]
    public double[] Cholmod() => PeerSolve();

    [Benchmark, RequiresPeer(DirectPeers.Umfpack)]
    public double[] Umfpack() => PeerSolve();

    [Benchmark, RequiresPeer(DirectPeers.Dense)]
    public double[] Getrs() => PeerSolve();

    [Benchmark, RequiresPeer(DirectPeers.Hierarchical)]
    public double[] Hmat() => PeerSolve();

    private double[] PeerSolve()
    {
        _peer!.Solve(_b, _x);
        return _x;
    }
}

/// <summary>
/// The build side of <see cref="PeerSolveBenchmarks"/>: GenLu's exact construction at P = 32 (the baseline) against each
/// applicable peer's factorization (analysis included; the factors are freed after each call).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(SuiteConfig))]
public class PeerBuildBenchmarks
{
    private PeerCase _case = null!;
    private PeerChoice _peer = null!;

    [ParamsSource(nameof(Operators))]
    public string Operator { get; set; } = "";

    [Params(4096)]
    public int N { get; set; }

    public static IEnumerable<string> Operators => PeerSuite.Operators;

    [GlobalSetup(Target = nameof(GenLuExact))]
    public void SetupGenLu() => _case = PeerCase.Get(Operator, N);

    [GlobalSetup(Target = nameof(Pttrf))]
    public void SetupPttrf() => SetupPeer(DirectPeers.Tridiagonal);

    [GlobalSetup(Target = nameof(Gbtrf))]
    public void SetupGbtrf() => SetupPeer(DirectPeers.Banded);

    [GlobalSetup(Target = nameof(Cholmod))]
    public void SetupCholmod() => SetupPeer(DirectPeers.Cholmod);

    [GlobalSetup(Target = nameof(Umfpack))]
    public void SetupUmfpack() => SetupPeer(DirectPeers.Umfpack);

    [GlobalSetup(Target = nameof(Getrf))]
    public void SetupGetrf() => SetupPeer(DirectPeers.Dense);

    [GlobalSetup(Target = nameof(HmatFactor))]
    public void SetupHmatFactor() => SetupPeer(DirectPeers.Hierarchical);

    private void SetupPeer(string name)
    {
        _case = PeerCase.Get(Operator, N);
        _peer = _case.Peers.Single(p => p.Name == name);
    }

    [Benchmark(Baseline = true)]
    public GfmmModel GenLuExact() => _case.BuildModel();

    [Benchmark, RequiresPeer(DirectPeers.Tridiagonal)]
    public int Pttrf() => Factor();

    [Benchmark, RequiresPeer(DirectPeers.Banded)]
    public int Gbtrf() => Factor();

    [Benchmark, RequiresPeer(DirectPeers.Cholmod)]
    public int Cholmod() => Factor();

    [Benchmark, RequiresPeer(DirectPeers.Umfpack)]
    public int Umfpack() => Factor();

    [Benchmark, RequiresPeer(DirectPeers.Dense)]
    public int Getrf() => Factor();

    [Benchmark, RequiresPeer(DirectPeers.Hierarchical)]
    public int HmatFactor() => Factor();

    private int Factor()
    {
        using var solver = _peer.Factor!();
        return solver.Order;
    }
}

/// <summary>The operators of the peer suites: the seven built-in ones and a Matérn kernel.</summary>
internal static class PeerSuite
{
    /// <summary>Every built-in operator and the Matérn kernel, or only those named (comma-separated) in GENLU_PEER_OPERATORS.</summary>
    public static IEnumerable<string> Operators =>
        Environment.GetEnvironmentVariable("GENLU_PEER_OPERATORS") is { Length: > 0 } only
            ? only.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            : GenLu.Operators.TestOperators.All.Select(d => d.Name).Append(PeerCase.Matern);
}
