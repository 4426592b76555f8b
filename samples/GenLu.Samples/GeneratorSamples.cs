using GenLu.Operators;
using GenLu.Solvers;

namespace GenLu.Samples;

/// <summary>The generated solver of <see cref="Laplacian1D"/> (declared in Laplacian1D.cs).</summary>
internal static class GeneratorSamples
{
    public static void Run()
    {
        const int n = 8, count = 3;
        float[] b = Enumerable.Range(0, n).Select(i => (float)(i + 1)).ToArray();
        var x = new float[n];
        float[] bs = Enumerable.Range(0, count * n).Select(i => (float)Math.Cos(i)).ToArray();
        var xs = new float[count * n];

        // README: generated-solve
        Laplacian1D.Solve(b, x);    // unrolled for this (M, P), weights embedded, zero allocation

        var scratch = new float[Laplacian1D.BatchScratchLength];   // once
        Laplacian1D.Solve(bs, xs, count, scratch);                  // count vectors, stored one after another
        Laplacian1D.SolveParallel(bs, xs, count);                   // the same panels on every core
        // END README

        Console.WriteLine($"generated solve: x[0] = {x[0]:0.0000}, batched xs[0] = {xs[0]:0.0000}");

        var laplacian = TestOperators.Laplacian1d(n);
        double[] a = laplacian.Matrix.Select(v => v * laplacian.Scale).ToArray();   // the operator itself, row-major
        double[] bDouble = b.Select(v => (double)v).ToArray();
        var xDouble = new double[n];

        // README: generated-preconditioner
        // With GenLu.Runtime referenced too, the generated class is an IPreconditioner for the Krylov solvers.
        var gmres = new Gmres(LinearOperator.FromDense(a, n), Laplacian1D.Preconditioner);
        var result = gmres.Solve(bDouble, xDouble);
        Console.WriteLine($"{result.Iterations} iterations, {result.RelativeResidual:E2}");
        // END README
    }
}
