using BenchmarkDotNet.Attributes;
using GenLu.Benchmarks.Support;
using GenLu.Dense;
using GenLu.Gfmm;

namespace GenLu.Benchmarks;

/// <summary>
/// One structured GFMM solve <c>x = U⁻¹ L⁻¹ b / s</c> (O(N P) per right-hand side) against one dense LU
/// solve (getrs, O(N²) per right-hand side, factored once in GlobalSetup) of the same order N, float32,
/// P = 32, for 1 and 64 right-hand sides. The GFMM weights are RANDOM and well-conditioned
/// (<see cref="GfmmRandom.WellConditioned"/>), not trained: solve time does not depend on the values.
/// The dense matrix is random with a dominant diagonal (no pivoting trouble). Both use column-contiguous
/// right-hand sides, and both copy/overwrite an N x Rhs block per call.
/// </summary>
public abstract class StructuredSolveBenchmarkBase
{
    protected const int BlockSize = 32;

    private float[] _rhs = [];
    private float[] _x = [];
    private GfmmSolver _solver = null!;
    private GfmmWorkspace _workspace = null!;
    private float[] _lu = [];
    private int[] _perm = [];

    public abstract int N { get; set; }

    [Params(1, 64)]
    public int Rhs { get; set; }

    [GlobalSetup(Target = nameof(Structured))]
    public void SetupStructured()
    {
        _solver = new GfmmSolver(GfmmRandom.WellConditioned(N / BlockSize, BlockSize, seed: 1));
        _workspace = _solver.CreateWorkspace(Rhs);
        CreateVectors();
    }

    [GlobalSetup(Target = nameof(DenseLu))]
    public void SetupDense()
    {
        // Column-major: DenseLu's fastest solve layout. Entries uniform in [-1, 1), N added to the diagonal.
        var random = new Random(1);
        _lu = new float[(long)N * N];
        for (long k = 0; k < _lu.LongLength; k++) _lu[k] = 2 * random.NextSingle() - 1;
        for (int i = 0; i < N; i++) _lu[(long)i * N + i] += N;
        _perm = new int[N];
        int info = GenLu.Dense.DenseLu.Factor<float>(_lu, N, MatrixLayout.ColumnMajor, _perm);
        if (info != 0) throw new InvalidOperationException($"The benchmark matrix is singular (info {info}).");
        CreateVectors();
    }

    [Benchmark(Baseline = true)]
    public float[] DenseLu()
    {
        _rhs.CopyTo(_x, 0);
        GenLu.Dense.DenseLu.Solve<float>(_lu, N, N, MatrixLayout.ColumnMajor, _perm, _x, Rhs);
        return _x;
    }

    [Benchmark]
    public float[] Structured()
    {
        _solver.Solve(_rhs, _x, Rhs, _workspace);
        return _x;
    }

    private void CreateVectors()
    {
        var random = new Random(7);
        _rhs = new float[N * Rhs];
        for (int k = 0; k < _rhs.Length; k++) _rhs[k] = 2 * random.NextSingle() - 1;
        _x = new float[N * Rhs];
    }
}

/// <summary>N = 256 … 8192 (M = 8 … 256).</summary>
[MemoryDiagnoser]
[Config(typeof(SuiteConfig))]
public class StructuredSolveBenchmarks : StructuredSolveBenchmarkBase
{
    [Params(256, 1024, 4096, 8192)]
    public override int N { get; set; }
}

/// <summary>N = 16384 (M = 512): the dense factor is 1 GiB and takes minutes, so it has its own class.</summary>
[MemoryDiagnoser]
[Config(typeof(SuiteConfig))]
public class StructuredSolveLargeBenchmarks : StructuredSolveBenchmarkBase
{
    [Params(16384)]
    public override int N { get; set; }
}
