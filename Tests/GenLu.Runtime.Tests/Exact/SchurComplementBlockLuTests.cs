using GenLu.Exact;

namespace GenLu.Tests.Exact;

/// <summary>
/// The block LU without pivoting between blocks: L U rebuilt from its parts equals A (dense double reference), for a
/// dense matrix, a banded one (whose zero blocks are skipped) and blocks larger than the triangular solve's GEMM leaf.
/// </summary>
public sealed class SchurComplementBlockLuTests
{
    [Theory]
    [InlineData(4, 5, 0)]    // dense, odd block size
    [InlineData(8, 3, 2)]    // banded: bandwidth 2 < P
    [InlineData(2, 40, 0)]   // P > 32: the triangular solves recurse
    [InlineData(4, 33, 30)]  // banded with a block larger than the leaf
    public void LTimesUReproducesTheMatrix(int m, int p, int bandwidth)
    {
        int n = m * p;
        var random = new Random(n + bandwidth);
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                if (bandwidth == 0 || Math.Abs(i - j) <= bandwidth)
                    a[(i * n) + j] = (2 * random.NextDouble()) - 1;
            }
        }

        var lu = SchurComplementBlockLu.Factor(a, m, p);
        var l = new double[n * n];
        var u = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                int bi = i / p, bj = j / p;
                if (bi == bj)
                {
                    l[(i * n) + j] = lu.LowerDiagonal[bi][((i % p) * p) + (j % p)];
                    u[(i * n) + j] = lu.UpperDiagonal[bi][((i % p) * p) + (j % p)];
                }
                else if (bi > bj)
                {
                    l[(i * n) + j] = lu.Work.At(i, j);
                }
                else
                {
                    u[(i * n) + j] = lu.Work.At(i, j);
                }
            }
        }

        double worst = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int k = 0; k < n; k++) sum += l[(i * n) + k] * u[(k * n) + j];
                worst = Math.Max(worst, Math.Abs(sum - a[(i * n) + j]));
            }
        }

        worst.ShouldBeLessThan(1e-10);
        // A far field needs blocks two apart (M >= 3) and a matrix that reaches them.
        bool far = m > 2 && !(bandwidth > 0 && bandwidth < p);
        lu.LowerHasFarField.ShouldBe(far);
        lu.UpperHasFarField.ShouldBe(far);
    }
}
