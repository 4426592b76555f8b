using System.Numerics;
using BenchmarkDotNet.Attributes;
using GenLu.Trainer.Tuning.Peers;
using GenLu.Benchmarks.Support;
using MathNet.Numerics.Providers.LinearAlgebra;
using GenLu.Dense;

namespace GenLu.Benchmarks;

/// <summary>getrs with one right-hand side from factors each library computed in GlobalSetup (the copy of b is n elements, negligible).</summary>
[MemoryDiagnoser]
[Config(typeof(SuiteConfig))]
[GenericTypeArguments(typeof(double))]
[GenericTypeArguments(typeof(float))]
public class DenseLuSolveBenchmarks<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private T[] _lu = [];
    private int[] _perm = [];
    private T[] _mathNetLu = [];
    private int[] _ipiv = [];
    private T[] _openBlasLu = [];
    private int[] _openBlasIpiv = [];
    private T[] _rhs = [];
    private T[] _x = [];
    private ILinearAlgebraProvider _mathNet = null!;

    [Params(256, 1024, 2048)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _mathNet = DenseLuInputs.UseManagedSingleThreadedMathNet();
        _lu = DenseLuInputs.RandomMatrix<T>(N, seed: 42);
        _mathNetLu = (T[])_lu.Clone();
        _openBlasLu = (T[])_lu.Clone();
        _perm = new int[N];
        _ipiv = new int[N];
        _openBlasIpiv = new int[N];
        DenseLu.Factor<T>(_lu, N, MatrixLayout.ColumnMajor, _perm);
        DenseLuInputs.MathNetFactor(_mathNet, _mathNetLu, N, _ipiv);
        if (OpenBlas.IsAvailable)
            DenseLuInputs.OpenBlasFactor(_openBlasLu, N, _openBlasIpiv);
        _rhs = DenseLuInputs.RandomMatrix<T>(N, seed: 7).AsSpan(0, N).ToArray();
        _x = new T[N];
    }

    [Benchmark(Baseline = true)]
    public T[] GenLu()
    {
        _rhs.CopyTo(_x, 0);
        DenseLu.Solve<T>(_lu, N, MatrixLayout.ColumnMajor, _perm, _x);
        return _x;
    }

    [Benchmark]
    public T[] MathNetManaged()
    {
        _rhs.CopyTo(_x, 0);
        DenseLuInputs.MathNetSolve(_mathNet, _mathNetLu, N, _ipiv, _x);
        return _x;
    }

    [Benchmark, RequiresOpenBlas]
    public T[] OpenBlasSingleThread()
    {
        _rhs.CopyTo(_x, 0);
        DenseLuInputs.OpenBlasSolve(_openBlasLu, N, _openBlasIpiv, _x);
        return _x;
    }
}
