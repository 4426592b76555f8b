using System.Numerics;
using BenchmarkDotNet.Attributes;
using MathNet.Numerics.Providers.LinearAlgebra;

namespace GenLu.Benchmarks;

/// <summary>
/// getrf on a seeded random n x n matrix. Every method first restores the input by copying it into the
/// work array (the factorization is in place); <see cref="CopyInputOnly"/> measures that copy alone, so
/// factor time = method time - copy time.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 2, iterationCount: 5)]
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

    [Benchmark]
    public int[] MathNetManaged()
    {
        _input.CopyTo(_work, 0);
        DenseLuInputs.MathNetFactor(_mathNet, _work, N, _ipiv);
        return _ipiv;
    }

    [Benchmark]
    public int OpenBlasSingleThread()
    {
        DenseLuInputs.ThrowIfOpenBlasMissing();
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
