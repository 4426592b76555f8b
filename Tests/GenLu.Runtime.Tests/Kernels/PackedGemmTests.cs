using System.Numerics;
using GenLu.Kernels;

namespace GenLu.Tests.Kernels;

/// <summary>
/// C -= A B against the naive triple loop in double, at sizes around the tile and block edges (MR, NR, MC = 128,
/// KC = 256, NC = 480), for every layout combination, both precisions and each micro-kernel width the machine
/// runs natively plus Vector128 (the Arm64 kernel), which is forced through the width argument.
/// </summary>
public sealed unsafe class PackedGemmTests
{
    public static TheoryData<int, int, int> Shapes() => new()
    {
        { 1, 1, 1 },
        { 7, 5, 3 },
        { 33, 17, 9 },
        { 130, 13, 257 },
        { 5, 490, 3 },
        { 19, 9, 300 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void SubtractProductMatchesTheNaiveTripleLoop(int m, int n, int k)
    {
        foreach (var width in Widths())
        {
            foreach (bool cColumnMajor in new[] { false, true })
            {
                foreach (bool aColumnMajor in new[] { false, true })
                {
                    bool bColumnMajor = aColumnMajor ^ cColumnMajor;
                    Check<double>(m, n, k, width, cColumnMajor, aColumnMajor, bColumnMajor);
                    Check<float>(m, n, k, width, cColumnMajor, aColumnMajor, bColumnMajor);
                }
            }
        }
    }

    [Fact]
    public void MultiplyOfRowMajorSpansIsTheProduct()
    {
        double[] x = [1, 2, 3, 4, 5, 6];          // 2 x 3
        double[] y = [7, 8, 9, 10, 11, 12];       // 3 x 2
        var z = new double[4];
        PackedGemm<double>.Multiply(x, y, z, 2, 3, 2);
        z.ShouldBe([58.0, 64, 139, 154]);
    }

    [Fact]
    public void TileGeometryFitsThePackedBlocks()
    {
        foreach (var width in new[] { SimdWidth.Vector128, SimdWidth.Vector256, SimdWidth.Vector512 })
        {
            (PackedGemm<double>.MC % PackedGemm<double>.TileRows(width)).ShouldBe(0);
            (PackedGemm<float>.MC % PackedGemm<float>.TileRows(width)).ShouldBe(0);
            (PackedGemm<double>.NC % PackedGemm<double>.TileColumns(width)).ShouldBe(0);
        }
    }

    /// <summary>The native widths up to the widest accelerated one, and always Vector128.</summary>
    internal static IEnumerable<SimdWidth> Widths() =>
        new[] { SimdWidth.Vector128, SimdWidth.Vector256, SimdWidth.Vector512 }.Where(w => w == SimdWidth.Vector128 || w <= Simd.Widest);

    private static void Check<T>(int m, int n, int k, SimdWidth width, bool cColumnMajor, bool aColumnMajor, bool bColumnMajor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var a = KernelReference.Random<T>(m * k, seed: m + (7 * k));
        var b = KernelReference.Random<T>(k * n, seed: n + (11 * k));
        var c = KernelReference.Random<T>(m * n, seed: m + (13 * n));
        var a0 = KernelReference.Widen(a);
        var b0 = KernelReference.Widen(b);
        var expected = KernelReference.Widen(c);
        int At(int row, int col, int rows, int cols, bool columnMajor) => columnMajor ? row + (col * rows) : (row * cols) + col;
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                    sum += a0[At(i, p, m, k, aColumnMajor)] * b0[At(p, j, k, n, bColumnMajor)];
                expected[At(i, j, m, n, cColumnMajor)] -= sum;
            }
        }

        var packedA = new T[PackedGemm<T>.PackedALength];
        var packedB = new T[PackedGemm<T>.PackedBLength];
        fixed (T* ap = a)
        fixed (T* bp = b)
        fixed (T* cp = c)
        fixed (T* pa = packedA)
        fixed (T* pb = packedB)
        {
            StridedMatrix<T> View(T* origin, int rows, int cols, bool columnMajor) =>
                columnMajor ? new StridedMatrix<T>(origin, 1, rows) : new StridedMatrix<T>(origin, cols, 1);
            PackedGemm<T>.SubtractProduct(
                View(cp, m, n, cColumnMajor), View(ap, m, k, aColumnMajor), View(bp, k, n, bColumnMajor), m, n, k, new GemmWorkspace<T>(pa, pb), width);
        }

        double tolerance = KernelReference.Tolerance<T>(k, 1);
        for (int i = 0; i < c.Length; i++)
            double.CreateChecked(c[i]).ShouldBe(expected[i], tolerance, $"{typeof(T).Name} {width} {m}x{n}x{k} entry {i}");
    }
}
