using GenLu;
using static GenLu.Tests.Dense.DenseReference;
using static GenLu.Tests.Support.DenseMath;
using GenLu.Dense;

namespace GenLu.Tests.Dense;

/// <summary>The detkit.lu_factor example (seed 002): factor the 800 x 700 upper-left part of a 1000 x 900 matrix in place.</summary>
public class DenseLuSubMatrixTests
{
    private const int FullRows = 1000, FullCols = 900, Rows = 800, Cols = 700;

    [Fact]
    public void FactorsUpperLeftSubMatrixInPlaceWithoutAllocating()
    {
        // float32, column-major, randn + 100 * eye(1000, 900), seeded.
        var random = new Random(2024);
        var a = new float[FullRows * FullCols];
        for (int j = 0; j < FullCols; j++)
        {
            for (int i = 0; i < FullRows; i++)
                a[i + (j * FullRows)] = (float)(random.NextGaussian() + (i == j ? 100 : 0));
        }

        float[] original = (float[])a.Clone();
        int[] perm = new int[FullRows];
        WarmUpPackingBuffers();

        long before = GC.GetAllocatedBytesForCurrentThread();
        int info = DenseLu.Factor<float>(a, Rows, Cols, FullRows, MatrixLayout.ColumnMajor, perm);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        info.ShouldBe(0);
        allocated.ShouldBeLessThan(64 * 1024, "factoring must not copy the sub-matrix (800 x 700 float = 2.2 MB)");

        ShouldBePermutation(perm, Rows);
        perm[Rows..].ShouldBe(Enumerable.Range(Rows, FullRows - Rows).ToArray());

        // numpy.allclose(A[perm[:p], :q], L @ U, atol=10 * resolution(float32)) with numpy's default rtol.
        const double atol = 10 * 1e-6, rtol = 1e-5;
        var (l, u) = ExpandFactors(a, Rows, Cols, FullRows, MatrixLayout.ColumnMajor);
        var product = Multiply(l, u);
        var originalDense = ToDense(original, FullRows, FullCols, FullRows, MatrixLayout.ColumnMajor);
        int violations = 0;
        for (int i = 0; i < Rows; i++)
        {
            for (int j = 0; j < Cols; j++)
            {
                if (Math.Abs(originalDense[perm[i], j] - product[i, j]) > atol + (rtol * Math.Abs(product[i, j])))
                    violations++;
            }
        }

        violations.ShouldBe(0);

        for (int j = 0; j < FullCols; j++)
        {
            for (int i = 0; i < FullRows; i++)
            {
                if (i >= Rows || j >= Cols)
                    a[i + (j * FullRows)].ShouldBe(original[i + (j * FullRows)]);
            }
        }
    }

    [Fact]
    public void RowMajorSubMatrixKeepsTheRestAndSatisfiesPaEqualsLu()
    {
        const int fullRows = 150, fullCols = 140, rows = 131, cols = 97;
        var a = Random<double>(fullRows, fullCols, fullCols, MatrixLayout.RowMajor, seed: 5);
        double[] original = (double[])a.Clone();
        int[] perm = new int[fullRows];

        DenseLu.Factor<double>(a, rows, cols, fullCols, MatrixLayout.RowMajor, perm).ShouldBe(0);

        var (l, u) = ExpandFactors(a, rows, cols, fullCols, MatrixLayout.RowMajor);
        var originalDense = ToDense(original, fullRows, fullCols, fullCols, MatrixLayout.RowMajor);
        double scale = MaxAbs(originalDense) * cols * Epsilon<double>();
        (MaxPermutedResidual(originalDense, perm, Multiply(l, u)) / scale).ShouldBeLessThan(1.0);
        perm[rows..].ShouldBe(Enumerable.Range(rows, fullRows - rows).ToArray());
        for (int i = 0; i < fullRows; i++)
        {
            for (int j = 0; j < fullCols; j++)
            {
                if (i >= rows || j >= cols)
                    a[(i * fullCols) + j].ShouldBe(original[(i * fullCols) + j]);
            }
        }
    }

    /// <summary>The packing buffers come from the shared pool; the first rent on a thread allocates them once.</summary>
    private static void WarmUpPackingBuffers()
    {
        var small = Random<float>(64, 64, 64, MatrixLayout.ColumnMajor, seed: 1, diagonalShift: 10);
        DenseLu.Factor<float>(small, 64, MatrixLayout.ColumnMajor, new int[64]);
    }
}
