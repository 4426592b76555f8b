using GenLu.Dense;

namespace GenLu.Samples;

/// <summary>The dense LU, in double and in float.</summary>
internal static class DenseSamples
{
    public static void Run()
    {
        const int n = 4;
        double[] matrix = [4, 1, 0, 0, 1, 4, 1, 0, 0, 1, 4, 1, 0, 0, 1, 4]; // row-major, n x n
        double[] b = [1, 2, 3, 4];
        var x = new double[n];

        // README: dense-double
        // Dense LU in double, row-major: factor once, solve many times.
        var lu = new LuFactorization<double>(matrix, n, MatrixLayout.RowMajor);
        lu.Solve(b, x);
        // END README

        // A 3 x 3 sub-matrix of a 4 x 4 column-major float array, factored in place.
        float[] a = [2, 1, 0, 9, 1, 3, 1, 9, 0, 1, 2, 9, 9, 9, 9, 9];
        int rows = 3, cols = 3, leadingDimension = 4;
        var perm = new int[4];

        // README: dense-float
        // LAPACK getrf semantics in float, column-major, on a sub-matrix in place:
        // info is 0, or the 1-based index of the first zero pivot.
        int info = DenseLu.Factor<float>(a, rows, cols, leadingDimension, MatrixLayout.ColumnMajor, perm);
        // END README

        Console.WriteLine($"dense LU: x = [{string.Join(", ", x.Select(v => v.ToString("0.0000")))}], getrf info = {info}");
    }
}
