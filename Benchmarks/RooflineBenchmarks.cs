using BenchmarkDotNet.Attributes;
using GenLu.Benchmarks.Support;
using GenLu.Dense;
using GenLu.Kernels;

namespace GenLu.Benchmarks;

/// <summary>
/// The machine's ceilings for the roofline: streaming bandwidth from memory (a 256 MiB copy, and a 256 MiB
/// read-only sum) and the peak of GenLu's own packed GEMM micro-kernel (C -= A B with all three operands in
/// cache). <see cref="RooflineReport"/> turns them into floor times for the solves of
/// <see cref="SolveComparisonBenchmarks"/>.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(SuiteConfig))]
public unsafe class RooflineMachineBenchmarks
{
    /// <summary>Far beyond the 32 MiB L3 cache, so the copy streams from and to memory.</summary>
    public const int StreamBytes = 256 << 20;

    /// <summary>GEMM shape: several packed panels of every blocking level, C 1 MiB, in L2/L3.</summary>
    public const int GemmM = 512, GemmN = 480, GemmK = 512;

    private float[] _source = [];
    private float[] _destination = [];
    private float[] _a = [];
    private float[] _b = [];
    private float[] _c = [];
    private float[] _packedA = [];
    private float[] _packedB = [];

    public static long GemmFlops => 2L * GemmM * GemmN * GemmK;

    [GlobalSetup(Targets = [nameof(CopyLarge), nameof(ReadLarge)])]
    public void SetupStreams()
    {
        _source = BenchmarkModels.RandomVectors(StreamBytes / sizeof(float), 1, seed: 1);
        _destination = new float[_source.Length];
    }

    [GlobalSetup(Target = nameof(GemmPeak))]
    public void SetupGemm()
    {
        _a = BenchmarkModels.RandomVectors(GemmM, GemmK, seed: 2);
        _b = BenchmarkModels.RandomVectors(GemmK, GemmN, seed: 3);
        _c = new float[GemmM * GemmN];
        _packedA = new float[PackedGemm<float>.PackedALength];
        _packedB = new float[PackedGemm<float>.PackedBLength];
    }

    /// <summary>Moves 2 x 256 MiB (read + write).</summary>
    [Benchmark]
    public void CopyLarge() => _source.AsSpan().CopyTo(_destination);

    /// <summary>Reads 256 MiB.</summary>
    [Benchmark]
    public float ReadLarge() => Streaming.Sum(_source);

    /// <summary><see cref="GemmFlops"/> flops of the micro-kernel, column-major operands.</summary>
    [Benchmark]
    public void GemmPeak()
    {
        fixed (float* a = _a) fixed (float* b = _b) fixed (float* c = _c) fixed (float* packedA = _packedA) fixed (float* packedB = _packedB)
        {
            var workspace = new GemmWorkspace<float>(packedA, packedB);
            PackedGemm<float>.SubtractProduct(
                StridedMatrix<float>.Create(c, GemmM, MatrixLayout.ColumnMajor),
                StridedMatrix<float>.Create(a, GemmM, MatrixLayout.ColumnMajor),
                StridedMatrix<float>.Create(b, GemmK, MatrixLayout.ColumnMajor),
                GemmM, GemmN, GemmK, workspace);
        }
    }
}

/// <summary>
/// The bandwidth a solve of order N can get: a read-only sweep over as many bytes as one solve must read
/// (<see cref="SolveTraffic"/>), repeated back to back like solves are — so the bytes sit in whichever
/// cache level holds them (L2 at N = 256, L3 up to N = 4096, partly memory at N = 16384).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(SuiteConfig))]
public class RooflineSweepBenchmarks
{
    private float[] _solveBytes = [];

    [ParamsSource(nameof(Orders))]
    public int N { get; set; }

    public static IEnumerable<int> Orders => BenchmarkModels.Orders;

    [GlobalSetup]
    public void Setup() =>
        _solveBytes = BenchmarkModels.RandomVectors((int)(SolveTraffic.Of(N, 1).Bytes / sizeof(float)), 1, seed: 8);

    [Benchmark]
    public float ReadSolveBytes() => Streaming.Sum(_solveBytes);
}
