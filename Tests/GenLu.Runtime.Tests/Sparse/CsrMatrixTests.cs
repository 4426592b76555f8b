using GenLu.Sparse;
using GenLu.Tests.Support;

namespace GenLu.Tests.Sparse;

public sealed class CsrMatrixTests
{
    public static TheoryData<string> Shapes => ["random", "banded", "empty rows", "rectangular"];

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Products_equal_the_dense_double_products(string shape)
    {
        var (dense, csr) = Example(shape, new Random(shape.Length));
        int rows = dense.GetLength(0), cols = dense.GetLength(1);
        var random = new Random(7);
        double[] x = RandomVector(random, cols), xt = RandomVector(random, rows);
        var y = new double[rows];
        var yt = new double[cols];

        csr.Apply(x, y);
        csr.ApplyTranspose(xt, yt);

        ShouldBeClose(y, DenseMath.Multiply(dense, x));
        ShouldBeClose(yt, DenseMath.Multiply(dense, xt, transpose: true));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void The_transposed_product_is_the_adjoint(string shape)
    {
        var (_, csr) = Example(shape, new Random(11 * shape.Length));
        var random = new Random(3);
        double[] x = RandomVector(random, csr.Rows), y = RandomVector(random, csr.Columns);
        var aty = new double[csr.Columns];
        var ay = new double[csr.Rows];
        csr.ApplyTranspose(x, aty);
        csr.Apply(y, ay);

        // <Aᵀx, y> = <x, A y>
        double left = aty.Zip(y, (a, b) => a * b).Sum(), right = x.Zip(ay, (a, b) => a * b).Sum();
        Math.Abs(left - right).ShouldBeLessThan(1e-12 * (Math.Abs(left) + 1));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ToDense_entries_and_bandwidths_match_the_dense_matrix(string shape)
    {
        var (dense, csr) = Example(shape, new Random(5 + shape.Length));
        int rows = dense.GetLength(0), cols = dense.GetLength(1);
        var copy = csr.ToDense();
        int lower = 0, upper = 0, nonZeros = 0;
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                copy[i, j].ShouldBe(dense[i, j]);
                csr[i, j].ShouldBe(dense[i, j]);
                if (dense[i, j] != 0)
                {
                    nonZeros++;
                    lower = Math.Max(lower, i - j);
                    upper = Math.Max(upper, j - i);
                }
            }
        }

        csr.NonZeroCount.ShouldBe(nonZeros);
        (csr.LowerBandwidth, csr.UpperBandwidth).ShouldBe((lower, upper));
    }

    [Fact]
    public void The_builder_sorts_columns_and_sums_duplicates_in_the_order_added()
    {
        var builder = new CsrBuilder(3, 4);
        builder.Add(1, 3, 1.0);
        builder.Add(1, 0, 2.0);
        builder.Add(1, 3, 1e-17);
        builder.Add(0, 2, 5.0);
        builder.Add(1, 3, -1.0);
        builder.Add(1, 2, 0.0);
        var csr = builder.Build();

        csr.RowPointers.ToArray().ShouldBe([0, 1, 4, 4]);
        csr.ColumnIndices.ToArray().ShouldBe([2, 0, 2, 3]);

        // (1 + 1e-17) - 1 = 0 in the order added; the explicit zero at (1, 2) stays a stored entry.
        csr.Values.ToArray().ShouldBe([5.0, 2.0, 0.0, (1.0 + 1e-17) - 1.0]);
        csr.RowColumns(2).Length.ShouldBe(0);
    }

    [Fact]
    public void The_builder_refuses_positions_outside_the_matrix_and_non_finite_values()
    {
        var builder = new CsrBuilder(2, 3);
        Should.Throw<ArgumentOutOfRangeException>(() => builder.Add(2, 0, 1));
        Should.Throw<ArgumentOutOfRangeException>(() => builder.Add(0, -1, 1));
        Should.Throw<ArgumentException>(() => builder.Add(0, 0, double.NaN)).Message.ShouldContain("finite");
        builder.Add(0, 0, double.MaxValue);
        builder.Add(0, 0, double.MaxValue);
        Should.Throw<OverflowException>(builder.Build).Message.ShouldContain("(0, 0)");
        Should.Throw<ArgumentOutOfRangeException>(() => new CsrBuilder(0, 1));
        Should.Throw<ArgumentOutOfRangeException>(() => new CsrBuilder(1, CsrMatrix.MaxDimension + 1));
    }

    [Theory]
    [InlineData(new[] { 0, 1 }, new[] { 0 }, "needs 3 row pointers")]
    [InlineData(new[] { 1, 1, 1 }, new[] { 0 }, "run from 0 to the entry count 1")]
    [InlineData(new[] { 0, 1, 1 }, new[] { 2 }, "outside 0..1")]
    [InlineData(new[] { 0, 2, 2 }, new[] { 1, 1 }, "not strictly increasing")]
    [InlineData(new[] { 0, 2, 1 }, new[] { 0 }, "decrease at row 1")]
    public void The_array_constructor_validates(int[] rowPointers, int[] columns, string expected)
    {
        var values = Enumerable.Repeat(1.0, columns.Length).ToArray();
        Should.Throw<ArgumentException>(() => new CsrMatrix(2, 2, rowPointers, columns, values)).Message.ShouldContain(expected);
    }

    [Fact]
    public void The_array_constructor_copies_and_checks_values()
    {
        int[] pointers = [0, 1, 2];
        int[] columns = [1, 0];
        double[] values = [3, 4];
        var csr = new CsrMatrix(2, 2, pointers, columns, values);
        values[0] = 99;
        csr[0, 1].ShouldBe(3);
        (csr.LowerBandwidth, csr.UpperBandwidth).ShouldBe((1, 1));
        Should.Throw<ArgumentException>(() => new CsrMatrix(2, 2, pointers, columns, [1, double.PositiveInfinity])).Message.ShouldContain("finite");
    }

    [Fact]
    public void Products_check_lengths_and_overlap_and_a_rectangular_matrix_has_no_order()
    {
        var (_, square) = Example("banded", new Random(1));
        var buffer = new double[2 * square.Order];
        Should.Throw<ArgumentException>(() => square.Apply(buffer.AsSpan(0, square.Order), buffer.AsSpan(1, square.Order))).Message.ShouldContain("overlap");
        Should.Throw<ArgumentException>(() => square.ApplyTranspose(new double[square.Order + 1], new double[square.Order])).Message.ShouldContain("length");

        var (_, wide) = Example("rectangular", new Random(1));
        Should.Throw<InvalidOperationException>(() => wide.Order).Message.ShouldContain("not square");
    }

    [Fact]
    public void ToDense_refuses_above_the_documented_limit_before_allocating()
    {
        var builder = new CsrBuilder(20_000, 20_000);
        builder.Add(19_999, 0, 1);
        var huge = builder.Build();
        (huge.LowerBandwidth, huge.UpperBandwidth).ShouldBe((19_999, 0));
        long before = GC.GetAllocatedBytesForCurrentThread();
        Should.Throw<InvalidOperationException>(huge.ToDense).Message.ShouldContain("20000 x 20000");
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBeLessThan(100_000);
        CsrMatrix.CanDensify(16_384, 16_384).ShouldBeTrue();
        CsrMatrix.CanDensify(16_385, 16_384).ShouldBeFalse();
        CsrMatrix.CanDensify(int.MaxValue + 1L, 1).ShouldBeFalse();
    }

    /// <summary>A dense reference and the same matrix built from its triplets in a shuffled order.</summary>
    private static (double[,] Dense, CsrMatrix Csr) Example(string shape, Random random)
    {
        int rows = 37, cols = shape == "rectangular" ? 23 : 37;
        var dense = new double[rows, cols];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                bool stored = shape switch
                {
                    "banded" => j - i is >= -3 and <= 2,
                    "empty rows" => i % 4 != 1 && random.NextDouble() < 0.2,
                    _ => random.NextDouble() < 0.15,
                };
                if (stored)
                {
                    dense[i, j] = (2 * random.NextDouble()) - 1;
                }
            }
        }

        var triplets = new List<(int I, int J, double V)>();
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                if (dense[i, j] != 0)
                {
                    triplets.Add((i, j, dense[i, j]));
                }
            }
        }

        var builder = new CsrBuilder(rows, cols);
        foreach (var (i, j, v) in triplets.OrderBy(_ => random.Next()))
        {
            builder.Add(i, j, v);
        }

        return (dense, builder.Build());
    }

    private static double[] RandomVector(Random random, int length) =>
        Enumerable.Range(0, length).Select(_ => (2 * random.NextDouble()) - 1).ToArray();

    private static void ShouldBeClose(double[] actual, double[] expected)
    {
        actual.Length.ShouldBe(expected.Length);
        for (int i = 0; i < actual.Length; i++)
        {
            Math.Abs(actual[i] - expected[i]).ShouldBeLessThan(1e-14 * (1 + Math.Abs(expected[i])));
        }
    }
}
