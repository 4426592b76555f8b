using System.Numerics;
using GenLu.Kernels;

namespace GenLu.Tests.Kernels;

/// <summary>
/// The triangular solves against naive substitution in double: one right-hand side (trsv, lower and upper, unit and
/// general diagonal) and blocks of right-hand sides (trsm), in both layouts and precisions, at orders below, at and
/// above the GEMM leaf (32), where the recursion splits.
/// </summary>
public sealed unsafe class TriangularSolveTests
{
    public static TheoryData<int, int> OrdersAndColumns() => new()
    {
        { 1, 1 },
        { 5, 3 },
        { 32, 7 },
        { 33, 1 },
        { 70, 50 },
        { 9, 130 },
    };

    [Theory]
    [MemberData(nameof(OrdersAndColumns))]
    public void SolveLowerInPlaceMatchesNaiveForwardSubstitution(int order, int cols)
    {
        foreach (bool unit in new[] { true, false })
        {
            foreach (bool lColumnMajor in new[] { false, true })
            {
                foreach (bool bColumnMajor in new[] { false, true })
                {
                    CheckBlock<double>(order, cols, unit, lColumnMajor, bColumnMajor);
                    CheckBlock<float>(order, cols, unit, lColumnMajor, bColumnMajor);
                }
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(13)]
    [InlineData(64)]
    public void VectorSolvesMatchNaiveSubstitution(int n)
    {
        foreach (bool unit in new[] { true, false })
        {
            foreach (bool columnMajor in new[] { false, true })
            {
                foreach (bool upper in new[] { false, true })
                {
                    CheckVector<double>(n, unit, columnMajor, upper);
                    CheckVector<float>(n, unit, columnMajor, upper);
                }
            }
        }
    }

    /// <summary>A well-conditioned triangle stored in a full n x n row-major array: diagonal in ±[1, 2], the rest in ±0.5/n.</summary>
    private static double[] Triangle(int n, bool upper, int seed)
    {
        var random = new Random(seed);
        var t = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                if (i == j)
                    t[(i * n) + j] = (random.Next(2) == 0 ? -1 : 1) * (1 + random.NextDouble());
                else if (upper ? j > i : j < i)
                    t[(i * n) + j] = (2 * random.NextDouble() - 1) * 0.5 / n;
                else
                    t[(i * n) + j] = 1e30; // never read: a wrong read poisons the result
            }
        }

        return t;
    }

    private static T[] Store<T>(double[] rowMajor, int n, bool columnMajor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var stored = new T[rowMajor.Length];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
                stored[columnMajor ? i + (j * n) : (i * n) + j] = T.CreateChecked(rowMajor[(i * n) + j]);
        }

        return stored;
    }

    private static void CheckBlock<T>(int order, int cols, bool unit, bool lColumnMajor, bool bColumnMajor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var triangle = Triangle(order, upper: false, seed: order + cols);
        var l = Store<T>(triangle, order, lColumnMajor);
        var l0 = Store<double>(triangle, order, columnMajor: false); // the values as rounded to T, row-major
        for (int i = 0; i < l0.Length; i++) l0[i] = double.CreateChecked(T.CreateChecked(l0[i]));
        var b = KernelReference.Random<T>(order * cols, seed: 3 * order);
        var expected = KernelReference.Widen(b);
        int At(int row, int col) => bColumnMajor ? row + (col * order) : (row * cols) + col;
        for (int c = 0; c < cols; c++)
        {
            for (int i = 0; i < order; i++)
            {
                double sum = expected[At(i, c)];
                for (int p = 0; p < i; p++) sum -= l0[(i * order) + p] * expected[At(p, c)];
                expected[At(i, c)] = unit ? sum : sum / l0[(i * order) + i];
            }
        }

        var packedA = new T[PackedGemm<T>.PackedALength];
        var packedB = new T[PackedGemm<T>.PackedBLength];
        fixed (T* lp = l)
        fixed (T* bp = b)
        fixed (T* pa = packedA)
        fixed (T* pb = packedB)
        {
            var lView = lColumnMajor ? new StridedMatrix<T>(lp, 1, order) : new StridedMatrix<T>(lp, order, 1);
            var bView = bColumnMajor ? new StridedMatrix<T>(bp, 1, order) : new StridedMatrix<T>(bp, cols, 1);
            TriangularSolve<T>.SolveLowerInPlace(lView, bView, order, cols, unit, new GemmWorkspace<T>(pa, pb));
        }

        double tolerance = KernelReference.Tolerance<T>(order, 2);
        for (int i = 0; i < b.Length; i++)
            double.CreateChecked(b[i]).ShouldBe(expected[i], tolerance, $"{typeof(T).Name} order {order} unit {unit} entry {i}");
    }

    private static void CheckVector<T>(int n, bool unit, bool columnMajor, bool upper)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var triangle = Triangle(n, upper, seed: 5 * n);
        var t = Store<T>(triangle, n, columnMajor);
        var x = KernelReference.Random<T>(n, seed: 7 * n);
        var expected = KernelReference.Widen(x);
        double Entry(int i, int j) => double.CreateChecked(T.CreateChecked(triangle[(i * n) + j]));
        for (int step = 0; step < n; step++)
        {
            int i = upper ? n - 1 - step : step;
            double sum = expected[i];
            for (int p = 0; p < n; p++)
            {
                if (upper ? p > i : p < i) sum -= Entry(i, p) * expected[p];
            }

            expected[i] = unit ? sum : sum / Entry(i, i);
        }

        fixed (T* tp = t)
        fixed (T* xp = x)
        {
            var view = columnMajor ? new StridedMatrix<T>(tp, 1, n) : new StridedMatrix<T>(tp, n, 1);
            if (upper) TriangularSolve<T>.SolveUpper(view, n, unit, xp);
            else TriangularSolve<T>.SolveLower(view, n, unit, xp);
        }

        double tolerance = KernelReference.Tolerance<T>(n, 2);
        for (int i = 0; i < n; i++)
            double.CreateChecked(x[i]).ShouldBe(expected[i], tolerance, $"{typeof(T).Name} n {n} upper {upper} unit {unit} entry {i}");
    }
}
