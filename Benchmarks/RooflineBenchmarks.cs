using BenchmarkDotNet.Attributes;
using GenLu.Benchmarks.Support;
using GenLu.Dense;
using System.Runtime.Intrinsics;
using GenLu.Kernels;

namespace GenLu.Benchmarks;

/// <summary>
/// The machine's ceilings for the roofline: streaming bandwidth from memory (a 256 MiB copy, and a 256 MiB
/// read-only sum), the peak of GenLu's own packed GEMM micro-kernel (C -= A B with all three operands in
/// cache) and the core's fused multiply-add throughput (<see cref="FmaPeak"/>), the ceiling of any float solve. <see cref="RooflineReport"/> turns them into floor times for the solves of
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

    /// <summary>Independent Vector512 multiply-add chains per loop step: more than the FMA latency times the FMA issue
    /// rate of the cores here (4 cycles x 1 per cycle for 512 bits), so the loop runs at the FMA units' throughput.</summary>
    public const int FmaChains = 12;

    /// <summary>Loop steps of <see cref="FmaPeak"/>.</summary>
    public const int FmaSteps = 1 << 20;

    /// <summary>Flops of <see cref="FmaPeak"/>: two per lane of every multiply-add.</summary>
    public static long FmaFlops => 2L * FmaChains * FmaSteps * Vector512<float>.Count;

    /// <summary>
    /// The arithmetic ceiling of one core for float32: <see cref="FmaChains"/> independent chains of Vector512 fused
    /// multiply-adds in registers, no memory operand. A solve that does two flops per weight and right-hand side can
    /// not run faster than its flops at this rate, whatever its memory does.
    /// </summary>
    [Benchmark]
    public float FmaPeak()
    {
        var factor = Vector512.Create(0.999f);
        var addend = Vector512.Create(1e-3f);
        Span<Vector512<float>> seeds = stackalloc Vector512<float>[FmaChains];
        for (int c = 0; c < FmaChains; c++) seeds[c] = Vector512.Create(c * 0.1f);
        Vector512<float> a0 = seeds[0], a1 = seeds[1], a2 = seeds[2], a3 = seeds[3], a4 = seeds[4], a5 = seeds[5];
        Vector512<float> a6 = seeds[6], a7 = seeds[7], a8 = seeds[8], a9 = seeds[9], a10 = seeds[10], a11 = seeds[11];
        for (int step = 0; step < FmaSteps; step++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, factor, addend);
            a1 = Vector512.FusedMultiplyAdd(a1, factor, addend);
            a2 = Vector512.FusedMultiplyAdd(a2, factor, addend);
            a3 = Vector512.FusedMultiplyAdd(a3, factor, addend);
            a4 = Vector512.FusedMultiplyAdd(a4, factor, addend);
            a5 = Vector512.FusedMultiplyAdd(a5, factor, addend);
            a6 = Vector512.FusedMultiplyAdd(a6, factor, addend);
            a7 = Vector512.FusedMultiplyAdd(a7, factor, addend);
            a8 = Vector512.FusedMultiplyAdd(a8, factor, addend);
            a9 = Vector512.FusedMultiplyAdd(a9, factor, addend);
            a10 = Vector512.FusedMultiplyAdd(a10, factor, addend);
            a11 = Vector512.FusedMultiplyAdd(a11, factor, addend);
        }
        return Vector512.Sum(((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11)));
    }

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
