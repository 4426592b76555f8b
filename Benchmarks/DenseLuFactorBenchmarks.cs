using System.Numerics;
using BenchmarkDotNet.Attributes;
using GenLu.Benchmarks.Support;
using MathNet.Numerics.Providers.LinearAlgebra;
using GenLu.Dense;

namespace GenLu.Benchmarks;

/// <summary>
/// getrf on a seeded random n x n matrix: GenLu (column- and row-major), OpenBLAS sgetrf/dgetrf on one
/// thread, and MathNet's managed provider on one thread. Every method first restores the input by copying it into the
/// work array (the factorization is in place); <see cref="CopyInputOnly"/> measures that copy alone, so
/// factor time = method time - copy time.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(SuiteConfig))]
[GenericTypeArguments(typeof(double))]
[GenericTypeArguments(typeof(float))]
public class DenseLuFactorBenchmarks<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private T[] _input = [];
    private T[] _work = [];
    private int[] _perm = [];
    private int[] _ipiv = [];
    private ILinearAlgebraProvider _mathNet = null!;

    [Params(256, 1024, 2048)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _input = DenseLuInputs.RandomMatrix<T>(N, seed: 42);
        _work = new T[_input.Length];
        _perm = new int[N];
        _ipiv = new int[N];
        _mathNet = DenseLuInputs.UseManagedSingleThreadedMathNet();
    }

    [Benchmark(Baseline = true)]
    public int GenLuColumnMajor()
    {
        _input.CopyTo(_work, 0);
        return DenseLu.Factor<T>(_work, N, MatrixLayout.ColumnMajor, _perm);
    }

    [Benchmark]
    public int GenLuRowMajor()
    {
        _input.CopyTo(_work, 0);
        return DenseLu.Factor<T>(_work, N, MatrixLayout.RowMajor, _perm);
    }

    [Benchmark, MaxOrder(1024, "MathNet's managed getrf takes 17-45 s per factorization at n = 2048 (docs/benchmarks/dense-lu.md), minutes per benchmark case")]
    public int[] MathNetManaged()
    {
        _input.CopyTo(_work, 0);
        DenseLuInputs.MathNetFactor(_mathNet, _work, N, _ipiv);
        return _ipiv;
    }

    [Benchmark, RequiresOpenBlas]
    public int OpenBlasSingleThread()
    {
        _input.CopyTo(_work, 0);
        return DenseLuInputs.OpenBlasFactor(_work, N, _ipiv);
    }

    [Benchmark]
    public T[] CopyInputOnly()
    {
        _input.CopyTo(_work, 0);
        return _work;
    }
}
