using GenLu.Dense;
using GenLu.Gfmm;

namespace GenLu.Benchmarks.Support;

/// <summary>
/// The dense competitors' input: <c>A = s · L · U</c> of a model as an N x N column-major float matrix,
/// factored once by GenLu's getrf. Every dense solver (GenLu, OpenBLAS, MathNet) runs its getrs on these
/// same factors, so the solve benchmarks compare solves only; the pivots are given in each library's convention.
/// </summary>
internal sealed class DenseFactors
{
    private DenseFactors(int order, float[] lu, int[] permutation)
    {
        Order = order;
        Lu = lu;
        Permutation = permutation;
        LapackPivots = PivotsOf(permutation, firstIndex: 1);
        ZeroBasedPivots = PivotsOf(permutation, firstIndex: 0);
    }

    public int Order { get; }

    /// <summary>Compact L (unit, below the diagonal) and U, column-major.</summary>
    public float[] Lu { get; }

    /// <summary>GenLu's permutation: row i of L U is row Permutation[i] of A.</summary>
    public int[] Permutation { get; }

    /// <summary>LAPACK's ipiv (one-based row interchanges applied in order), for OpenBLAS.</summary>
    public int[] LapackPivots { get; }

    /// <summary>The same interchanges zero-based, as MathNet's managed provider stores them.</summary>
    public int[] ZeroBasedPivots { get; }

    public static DenseFactors Of(GfmmModel model)
    {
        int n = model.N;
        float[] lu = ColumnMajorSingle(model.ToDense(), n);
        var permutation = new int[n];
        int info = DenseLu.Factor<float>(lu, n, MatrixLayout.ColumnMajor, permutation);
        if (info != 0)
            throw new InvalidOperationException($"The dense matrix of the N = {n} benchmark model has a zero pivot at {info}: it cannot serve as a solve benchmark.");
        return new DenseFactors(n, lu, permutation);
    }

    private static float[] ColumnMajorSingle(double[] rowMajor, int n)
    {
        var columnMajor = new float[rowMajor.Length];
        for (int row = 0; row < n; row++)
            for (int column = 0; column < n; column++)
                columnMajor[(column * n) + row] = (float)rowMajor[(row * n) + column];
        return columnMajor;
    }

    /// <summary>
    /// Turns a permutation into the sequence of row interchanges that produces it: step k swaps row k with
    /// the row that currently holds original row permutation[k] (always at or below k).
    /// </summary>
    private static int[] PivotsOf(int[] permutation, int firstIndex)
    {
        int n = permutation.Length;
        var rowAt = new int[n];
        var positionOf = new int[n];
        for (int i = 0; i < n; i++)
            rowAt[i] = positionOf[i] = i;
        var pivots = new int[n];
        for (int k = 0; k < n; k++)
        {
            int position = positionOf[permutation[k]];
            pivots[k] = position + firstIndex;
            (rowAt[k], rowAt[position]) = (rowAt[position], rowAt[k]);
            positionOf[rowAt[k]] = k;
            positionOf[rowAt[position]] = position;
        }
        return pivots;
    }
}
