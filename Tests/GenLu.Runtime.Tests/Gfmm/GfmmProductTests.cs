using System.Text.Json;
using GenLu.Tests.Support;
using GenLu.Gfmm;
using GenLu.Structure;

namespace GenLu.Tests.Gfmm;

public class GfmmProductTests
{
    private const double FloatTolerance = 1e-5;

    public static TheoryData<GfmmKind, int, int> Shapes()
    {
        var data = new TheoryData<GfmmKind, int, int>();
        foreach (var kind in new[] { GfmmKind.Lower, GfmmKind.Upper, GfmmKind.General })
            foreach (var (m, p) in new[] { (2, 1), (2, 4), (4, 3), (8, 5), (16, 2) })
                data.Add(kind, m, p);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Product_and_transposed_product_match_the_spec_equations(GfmmKind kind, int m, int p)
    {
        var block = NaiveGfmm.RandomBlock(kind, m, p, seed: m * 31 + p);
        var x = DenseMath.ToFloat(DenseMath.RandomVector(block.N, new Random(7)));
        var ws = new GfmmWorkspace(block.Layout);
        var y = new float[block.N];

        block.Multiply(x, y, ws);
        DenseMath.RelativeError(NaiveGfmm.Multiply(block, DenseMath.ToDouble(x)), y).ShouldBeLessThan(FloatTolerance);

        block.MultiplyTranspose(x, y, ws);
        DenseMath.RelativeError(NaiveGfmm.MultiplyTranspose(block, DenseMath.ToDouble(x)), y).ShouldBeLessThan(FloatTolerance);
    }

    [Theory]
    [InlineData(GfmmKind.Lower, 1, 6)]
    [InlineData(GfmmKind.Upper, 3, 6)]
    [InlineData(GfmmKind.General, 19, 6)]
    [InlineData(GfmmKind.General, 64, 6)]
    [InlineData(GfmmKind.Lower, 16, 4)]
    [InlineData(GfmmKind.General, 80, 8)]
    public void Batched_products_equal_the_spec_for_every_vector(GfmmKind kind, int count, int p)
    {
        // 19 vectors leave a scalar tail after full SIMD vectors; 64 is the benchmark's batch. With P a multiple
        // of 4 and a multiple of 16 vectors the Vector512 kernel runs: 16 is one stripe, 80 a 64-wide block and a stripe.
        var block = NaiveGfmm.RandomBlock(kind, 8, p, seed: count);
        int n = block.N;
        var x = DenseMath.ToFloat(DenseMath.RandomVector(n * count, new Random(count)));
        var ws = new GfmmWorkspace(block.Layout, count);
        var y = new float[n * count];
        var yt = new float[n * count];
        block.Multiply(x, y, count, ws);
        block.MultiplyTranspose(x, yt, count, ws);
        for (int v = 0; v < count; v++)
        {
            var xv = DenseMath.ToDouble(x.AsSpan(v * n, n));
            DenseMath.RelativeError(NaiveGfmm.Multiply(block, xv), y.AsSpan(v * n, n)).ShouldBeLessThan(FloatTolerance);
            DenseMath.RelativeError(NaiveGfmm.MultiplyTranspose(block, xv), yt.AsSpan(v * n, n)).ShouldBeLessThan(FloatTolerance);
        }
    }

    [Theory]
    [InlineData(GfmmKind.Lower)]
    [InlineData(GfmmKind.Upper)]
    [InlineData(GfmmKind.General)]
    public void Transposed_product_is_the_adjoint(GfmmKind kind)
    {
        // <Fᵀ x, y> = <x, F y> for independent random x and y.
        var block = NaiveGfmm.RandomBlock(kind, 16, 4, seed: 5);
        var random = new Random(11);
        var x = DenseMath.ToFloat(DenseMath.RandomVector(block.N, random));
        var y = DenseMath.ToFloat(DenseMath.RandomVector(block.N, random));
        var fy = new float[block.N];
        var ftx = new float[block.N];
        block.Multiply(y, fy);
        block.MultiplyTranspose(x, ftx);
        double left = 0, right = 0, scale = 0;
        for (int i = 0; i < block.N; i++)
        {
            left += (double)ftx[i] * y[i];
            right += (double)x[i] * fy[i];
            scale += Math.Abs((double)x[i] * fy[i]);
        }
        Math.Abs(left - right).ShouldBeLessThan(1e-5 * scale);
    }

    [Fact]
    public void Reference_fixture_products_match_the_reference_outputs()
    {
        var model = GfmmModel.Load(TestPaths.Fixture("reference-m2p4.gfmm.json"));
        using var probe = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("reference-m2p4.probe.json")));
        float[] Read(string name) => probe.RootElement.GetProperty(name).EnumerateArray().Select(e => e.GetSingle()).ToArray();
        var x = Read("x");
        var ws = model.CreateWorkspace();
        var y = new float[model.N];

        model.Apply(x, y, ws);
        DenseMath.RelativeError(DenseMath.ToDouble(Read("LUx")), y).ShouldBeLessThan(1e-6);
        model.L.Multiply(x, y, ws);
        DenseMath.RelativeError(DenseMath.ToDouble(Read("Lx")), y).ShouldBeLessThan(1e-6);
        model.U.Multiply(x, y, ws);
        DenseMath.RelativeError(DenseMath.ToDouble(Read("Ux")), y).ShouldBeLessThan(1e-6);
        model.L.MultiplyTranspose(x, y, ws);
        DenseMath.RelativeError(DenseMath.ToDouble(Read("LTx")), y).ShouldBeLessThan(1e-6);
        model.U.MultiplyTranspose(x, y, ws);
        DenseMath.RelativeError(DenseMath.ToDouble(Read("UTx")), y).ShouldBeLessThan(1e-6);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void Model_apply_is_s_times_L_times_U_and_its_transpose(int count)
    {
        var model = new GfmmModel(NaiveGfmm.RandomBlock(GfmmKind.Lower, 4, 3, 1), NaiveGfmm.RandomBlock(GfmmKind.Upper, 4, 3, 2), scale: 2.5);
        int n = model.N;
        var dense = DenseMath.Scale(DenseMath.Multiply(NaiveGfmm.Dense(model.L), NaiveGfmm.Dense(model.U)), 2.5);
        var x = DenseMath.ToFloat(DenseMath.RandomVector(n * count, new Random(3)));
        var y = new float[n * count];
        var yt = new float[n * count];
        var ws = model.CreateWorkspace(count);
        model.Apply(x, y, count, ws);
        model.ApplyTranspose(x, yt, count, ws);
        for (int v = 0; v < count; v++)
        {
            var xv = DenseMath.ToDouble(x.AsSpan(v * n, n));
            DenseMath.RelativeError(DenseMath.Multiply(dense, xv), y.AsSpan(v * n, n)).ShouldBeLessThan(FloatTolerance);
            DenseMath.RelativeError(DenseMath.Multiply(DenseMath.Transpose(dense), xv), yt.AsSpan(v * n, n)).ShouldBeLessThan(FloatTolerance);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Dense_extraction_equals_the_spec_product_on_each_column(GfmmKind kind, int m, int p)
    {
        var block = NaiveGfmm.RandomBlock(kind, m, p, seed: 3);
        var expected = NaiveGfmm.Dense(block);
        var dense = block.ToDense();
        int n = block.N;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                dense[i * n + j].ShouldBe(expected[i, j], 1e-12 * (1 + Math.Abs(expected[i, j])));
    }

    [Theory]
    [InlineData(GfmmKind.Lower)]
    [InlineData(GfmmKind.Upper)]
    public void Dense_L_and_U_are_block_triangular_with_G_on_the_diagonal(GfmmKind kind)
    {
        const int m = 8, p = 3, n = m * p;
        var block = NaiveGfmm.RandomBlock(kind, m, p, seed: 9);
        var dense = block.ToDense();
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                int bi = i / p, bj = j / p;
                if (bi == bj)
                    dense[i * n + j].ShouldBe(block.Tensor(block.Layout.Diagonal(bi))[(i % p) * p + j % p]);
                else if (kind == GfmmKind.Lower ? bj > bi : bj < bi)
                    dense[i * n + j].ShouldBe(0.0);
            }
        // And the off-diagonal blocks are really populated (the structure is not trivially zero).
        double below = 0;
        for (int i = p; i < n; i++) for (int j = 0; j < i / p * p; j++) below += Math.Abs(kind == GfmmKind.Lower ? dense[i * n + j] : dense[j * n + i]);
        below.ShouldBeGreaterThan(0);
    }

    [Fact]
    public void Model_dense_extraction_is_s_L_U()
    {
        var model = new GfmmModel(NaiveGfmm.RandomBlock(GfmmKind.Lower, 4, 2, 4), NaiveGfmm.RandomBlock(GfmmKind.Upper, 4, 2, 5), scale: 0.75);
        var expected = DenseMath.Scale(DenseMath.Multiply(NaiveGfmm.Dense(model.L), NaiveGfmm.Dense(model.U)), 0.75);
        var dense = model.ToDense();
        for (int i = 0; i < model.N; i++)
            for (int j = 0; j < model.N; j++)
                dense[i * model.N + j].ShouldBe(expected[i, j], 1e-12 * (1 + Math.Abs(expected[i, j])));
    }

    [Fact]
    public void Products_allocate_nothing_given_a_workspace()
    {
        var model = GfmmRandom.WellConditioned(8, 8, seed: 1);
        var ws = model.CreateWorkspace(4);
        var x = new float[model.N * 4];
        var y = new float[model.N * 4];
        void All()
        {
            model.Apply(x.AsSpan(0, model.N), y.AsSpan(0, model.N), ws);
            model.ApplyTranspose(x.AsSpan(0, model.N), y.AsSpan(0, model.N), ws);
            model.Apply(x, y, 4, ws);
            model.L.Multiply(x, y, 4, ws);
            model.U.MultiplyTranspose(x.AsSpan(0, model.N), y.AsSpan(0, model.N), ws);
        }
        AllocationProbe.LeastBytesPerRun(All).ShouldBe(0);
    }

    [Fact]
    public void Bad_arguments_are_rejected_naming_the_argument()
    {
        var block = GfmmBlock.Zero(GfmmKind.Lower, 4, 2);
        var ws = new GfmmWorkspace(block.Layout, 2);
        var x = new float[8];
        Should.Throw<ArgumentException>(() => block.Multiply(new float[7], new float[8], ws)).ParamName.ShouldBe("x");
        Should.Throw<ArgumentException>(() => block.Multiply(x, new float[9], ws)).ParamName.ShouldBe("y");
        Should.Throw<ArgumentOutOfRangeException>(() => block.Multiply(new float[0], new float[0], -1, ws)).ParamName.ShouldBe("count");
        Should.Throw<ArgumentException>(() => block.Multiply(x, new float[8], new GfmmWorkspace(8, 2))).ParamName.ShouldBe("workspace");
        var shared = new float[9];
        Should.Throw<ArgumentException>(() => block.Multiply(shared.AsSpan(0, 8), shared.AsSpan(1, 8), ws)).Message.ShouldContain("partially overlaps");
        Should.Throw<ArgumentNullException>(() => block.Multiply(x, new float[8], null!));
        Should.Throw<ArgumentOutOfRangeException>(() => new GfmmWorkspace(4, 2, 0)).ParamName.ShouldBe("batchCapacity");
        Should.Throw<ArgumentOutOfRangeException>(() => new GfmmWorkspace(3, 2)).ParamName.ShouldBe("m");
    }
}
