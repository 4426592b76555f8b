using System.Numerics;
using GenLu.Trainer.Tuning.Peers;
using MathNet.Numerics;
using MathNet.Numerics.Providers.LinearAlgebra;

namespace GenLu.Benchmarks;

/// <summary>Seeded inputs and the MathNet.Numerics and OpenBLAS peers shared by the dense LU benchmarks.</summary>
internal static class DenseLuInputs
{
    /// <summary>n x n, entries uniform in [-1, 1), seeded; column-major (also read as row-major: its transpose, equally generic).</summary>
    public static T[] RandomMatrix<T>(int n, int seed)
        where T : INumberBase<T>
    {
        var random = new Random(seed);
        var a = new T[n * n];
        for (int i = 0; i < a.Length; i++)
            a[i] = T.CreateChecked((2 * random.NextDouble()) - 1);
        return a;
    }

    /// <summary>MathNet's managed (pure C#) provider on one thread, to match our single-threaded kernel.</summary>
    public static ILinearAlgebraProvider UseManagedSingleThreadedMathNet()
    {
        Control.UseManaged();
        Control.UseSingleThread();
        return LinearAlgebraControl.Provider;
    }

    /// <summary>MathNet getrf on column-major data (its provider API is overloaded per type, not generic).</summary>
    public static void MathNetFactor<T>(ILinearAlgebraProvider provider, T[] a, int n, int[] ipiv)
    {
        if (a is double[] d)
            provider.LUFactor(d, n, ipiv);
        else if (a is float[] f)
            provider.LUFactor(f, n, ipiv);
        else
            throw new NotSupportedException($"MathNet benchmarks cover float and double, not {typeof(T).Name}.");
    }

    /// <summary>MathNet getrs for one right-hand side, in place.</summary>
    public static void MathNetSolve<T>(ILinearAlgebraProvider provider, T[] lu, int n, int[] ipiv, T[] b)
    {
        if (lu is double[] d && b is double[] bd)
            provider.LUSolveFactored(1, d, n, ipiv, bd);
        else if (lu is float[] f && b is float[] bf)
            provider.LUSolveFactored(1, f, n, ipiv, bf);
        else
            throw new NotSupportedException($"MathNet benchmarks cover float and double, not {typeof(T).Name}.");
    }

    /// <summary>OpenBLAS getrf (single thread, column-major, 1-based ipiv); the suites' [RequiresOpenBlas] filter leaves it out when the library is missing.</summary>
    public static int OpenBlasFactor<T>(T[] a, int n, int[] ipiv) => a switch
    {
        double[] d => OpenBlas.Getrf(d, n, ipiv),
        float[] f => OpenBlas.Getrf(f, n, ipiv),
        _ => throw new NotSupportedException($"OpenBLAS benchmarks cover float and double, not {typeof(T).Name}."),
    };

    /// <summary>OpenBLAS getrs for one right-hand side, in place.</summary>
    public static int OpenBlasSolve<T>(T[] lu, int n, int[] ipiv, T[] b) => (lu, b) switch
    {
        (double[] d, double[] bd) => OpenBlas.Getrs(d, n, ipiv, bd, 1),
        (float[] f, float[] bf) => OpenBlas.Getrs(f, n, ipiv, bf, 1),
        _ => throw new NotSupportedException($"OpenBLAS benchmarks cover float and double, not {typeof(T).Name}."),
    };
}
