using GenLu;
using static GenLu.Tests.Dense.DenseReference;
using static GenLu.Tests.Support.DenseMath;
using GenLu.Dense;

namespace GenLu.Tests.Dense;

/// <summary>SolveLowerUnit / SolveUpper on hand-built compact storage: b = T y is formed in double, then solved back.</summary>
public class DenseTriangularSolveTests
{
    [Theory]
    [InlineData(MatrixLayout.ColumnMajor, 1)]
    [InlineData(MatrixLayout.RowMajor, 1)]
    [InlineData(MatrixLayout.ColumnMajor, 3)]
    [InlineData(MatrixLayout.RowMajor, 2)]
    public void SubstitutionsInvertTheirTriangles(MatrixLayout layout, int nrhs)
    {
        const int n = 37;
        var random = new Random(37);
        var compact = new double[n * n];
        var lower = new double[n, n];
        var upper = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double value = i == j ? 2 + random.NextDouble() : random.NextDouble() - 0.5;
                compact[Index(i, j, n, layout)] = value;
                if (i > j)
                    lower[i, j] = value;
                else
                    upper[i, j] = value;
            }

            lower[i, i] = 1;
        }

        double[] y = Enumerable.Range(0, n * nrhs).Select(_ => random.NextDouble() - 0.5).ToArray();
        double[] forward = new double[n * nrhs], backward = new double[n * nrhs];
        for (int r = 0; r < nrhs; r++)
        {
            double[] column = y.AsSpan(r * n, n).ToArray();
            Multiply(lower, column).CopyTo(forward, r * n);
            Multiply(upper, column).CopyTo(backward, r * n);
        }

        DenseLu.SolveLowerUnit<double>(compact, n, n, layout, forward, nrhs);
        DenseLu.SolveUpper<double>(compact, n, n, layout, backward, nrhs);

        forward.ShouldBe(y, tolerance: 1e-13);
        backward.ShouldBe(y, tolerance: 1e-13);
    }
}
