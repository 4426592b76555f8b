using GenLu.Tests.Infrastructure;
using GenLu.Format;

namespace GenLu.Tests;

/// <summary>Compiles generated solvers for shapes that exercise every kernel path (P below one vector,
/// exact multiples, vector plus scalar tails; one to four tree levels) and checks them against the dense
/// double-precision oracle built from the spec's naive product.</summary>
public class GeneratedSolverTests
{
    [Theory]
    [InlineData(2, 1, 1.0)]
    [InlineData(2, 2, 0.5)]
    [InlineData(4, 3, 2.0)]
    [InlineData(8, 5, 1.0)]
    [InlineData(4, 8, 1.0)]
    [InlineData(16, 4, 3.0)]
    [InlineData(2, 20, 1.0)]
    [InlineData(2, 17, 0.25)]
    [InlineData(4, 16, 1.0)]
    [InlineData(2, 64, 0.5)]
    public void Solve_and_products_match_the_dense_reference(int m, int p, double scale)
    {
        var model = TestModels.WellConditioned(m, p, seed: (ulong)(m * 100 + p), scale);
        var solver = GeneratedSolver.Build(model);
        var a = DenseReference.Operator(model);
        var at = DenseReference.Transpose(a);
        var input = RandomVector(model.N, seed: 11);
        var input64 = Array.ConvertAll(input, v => (double)v);
        var output = new float[model.N];

        solver.Operation("Apply")(input, output);
        DenseReference.RelativeError(output, DenseReference.Multiply(a, input64)).ShouldBeLessThan(1e-5);
        solver.Operation("ApplyTranspose")(input, output);
        DenseReference.RelativeError(output, DenseReference.Multiply(at, input64)).ShouldBeLessThan(1e-5);
        solver.Operation("Solve")(input, output);
        DenseReference.RelativeError(output, DenseReference.Solve(a, input64)).ShouldBeLessThan(1e-4);
        solver.Operation("SolveTranspose")(input, output);
        DenseReference.RelativeError(output, DenseReference.Solve(at, input64)).ShouldBeLessThan(1e-4);
    }

    [Theory]
    [InlineData(4, 3, 9, 2.0)]
    [InlineData(8, 4, 29, 0.5)]
    [InlineData(2, 64, 100, 1.0)]
    public void A_padded_model_takes_spans_of_its_order_and_solves_the_zero_padded_system(int m, int p, int n, double scale)
    {
        var full = TestModels.WellConditioned(m, p, seed: (ulong)(m * 7 + n), scale);
        var model = new GenLu.Gfmm.GfmmModel(full.L, full.U, scale, n: n);
        var solver = GeneratedSolver.Build(model);
        solver.Constant<int>("N").ShouldBe(n);
        solver.Constant<int>("PaddedN").ShouldBe(m * p);
        var a = DenseReference.Operator(model);
        var input = RandomVector(n, seed: 5);
        var padded = Array.ConvertAll(input, v => (double)v).Concat(new double[m * p - n]).ToArray();
        var output = new float[n];

        solver.Operation("Solve")(input, output);
        DenseReference.RelativeError(output, DenseReference.Solve(a, padded)[..n]).ShouldBeLessThan(1e-4);
        solver.Operation("SolveTranspose")(input, output);
        DenseReference.RelativeError(output, DenseReference.Solve(DenseReference.Transpose(a), padded)[..n]).ShouldBeLessThan(1e-4);
        solver.Operation("Apply")(input, output);
        DenseReference.RelativeError(output, DenseReference.Multiply(a, padded)[..n]).ShouldBeLessThan(1e-5);

        // Batched, in place, through narrow panels: the same vectors.
        var batch = input.Concat(input).Concat(input).ToArray();
        solver.BatchWithScratch("Solve")(batch, batch, 3, new float[2 * solver.Constant<int>("ScratchLength")]);
        solver.Operation("Solve")(input, output);
        for (int k = 0; k < 3; k++) batch.AsSpan(k * n, n).ToArray().ShouldBe(output);

        // The Runtime's solver of the same model agrees.
        var runtime = new GenLu.Gfmm.GfmmSolver(model);
        var expected = new float[n];
        runtime.Solve(input, expected);
        DenseReference.RelativeError(output, Array.ConvertAll(expected, v => (double)v)).ShouldBeLessThan(1e-6);
        Should.Throw<ArgumentException>(() => solver.Operation("Solve")(new float[m * p], new float[m * p]));
    }

    [Fact]
    public void The_exact_factors_of_a_padded_laplacian_give_a_class_of_its_order_that_solves_it()
    {
        // N = 200 with the default P = 32, so M = 8 and the model is padded to 256 (the N = 1000, M = 32 was checked
        // the same way once; its compile costs CI two minutes). Exact factors of a banded operator keep only the level-0
        // bridge, so the generated class embeds and multiplies nothing else.
        const int n = 200;
        var laplacian = GenLu.Operators.TestOperators.Create("laplacian1d", n);
        var model = GenLu.Exact.ExactFactorization.Build(laplacian.Matrix, n, 8, 32, scale: laplacian.Scale).Model;
        var solver = GeneratedSolver.Build(model);
        solver.Constant<int>("N").ShouldBe(n);
        var b = RandomVector(n, seed: 3);
        var x = new float[n];
        solver.Operation("Solve")(b, x);
        var dense = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) dense[i, j] = laplacian.Matrix[i * n + j] * laplacian.Scale;
        // κ(A) ≈ 1.6e4 for this Laplacian: float32 factors give about 1e-7 · κ.
        DenseReference.RelativeError(x, DenseReference.Solve(dense, Array.ConvertAll(b, v => (double)v))).ShouldBeLessThan(1e-2);
        solver.Constant<double>("LogAbsDeterminant").ShouldBe(Math.Log(n + 1), 1e-4); // det tridiag(-1, 2, -1) = n + 1
    }

    [Theory]
    [InlineData(4, 3, 12, 2.0)]
    [InlineData(8, 2, 13, 0.75)]
    public void The_log_determinant_constants_are_those_of_the_model(int m, int p, int n, double scale)
    {
        var full = TestModels.WellConditioned(m, p, seed: (ulong)(m + 3 * n), scale);
        var model = new GenLu.Gfmm.GfmmModel(full.L, full.U, scale, n: n);
        var solver = GeneratedSolver.Build(model);
        // Independent: a dense double LU of L·U (order M·P) plus N ln s, since the padding is s⁻¹-scaled identity.
        var lu = DenseReference.Operator(new GenLu.Gfmm.GfmmModel(full.L, full.U, 1));
        int order = m * p;
        var rowMajor = new double[order * order];
        for (int i = 0; i < order; i++)
            for (int j = 0; j < order; j++) rowMajor[i * order + j] = lu[i, j];
        var (sign, logAbs) = new GenLu.Dense.LuFactorization<double>(rowMajor, order, GenLu.Dense.MatrixLayout.RowMajor).LogDeterminant();
        solver.Constant<int>("DeterminantSign").ShouldBe(sign);
        solver.Constant<double>("LogAbsDeterminant").ShouldBe(logAbs + n * Math.Log(scale), 1e-4 * order);
        var runtime = new GenLu.Gfmm.GfmmSolver(model).LogDeterminant;
        (runtime.Sign, runtime.LogAbsoluteValue).ShouldBe((solver.Constant<int>("DeterminantSign"), solver.Constant<double>("LogAbsDeterminant")));
    }

    [Fact]
    public void Constants_describe_the_model()
    {
        var model = TestModels.WellConditioned(8, 3, seed: 5, scale: 2.5);
        var solver = GeneratedSolver.Build(model);
        solver.Constant<int>("M").ShouldBe(8);
        solver.Constant<int>("P").ShouldBe(3);
        solver.Constant<int>("N").ShouldBe(24);
        solver.Constant<double>("Scale").ShouldBe(2.5);
        solver.Constant<int>("PaddedN").ShouldBe(24);
        solver.Constant<int>("ScratchLength").ShouldBe(2 * 3 * 3); // 2 · log2(M) · P
        solver.Constant<int>("PanelWidth").ShouldBe(16);
        solver.Constant<int>("BatchScratchLength").ShouldBe(16 * 18);
        solver.Constant<string>("WeightsSha256").ShouldBe(GfmmFile.Parse(TestModels.Json(model)).Sha256);
    }

    public static TheoryData<string, int, int> PanelCases()
    {
        var cases = new TheoryData<string, int, int>();
        // P = 6: no vector width divides it (the panel loops the single kernels); P = 8: Vector256 blocks and
        // interleaved sweeps; P = 16: one Vector512 row chunk; P = 32: two chunks (the benchmark shape).
        foreach (var (m, p) in new[] { (4, 6), (2, 8), (4, 16), (8, 32) })
            foreach (string operation in new[] { "Solve", "SolveTranspose", "Apply", "ApplyTranspose" })
                cases.Add(operation, m, p);
        return cases;
    }

    /// <summary>
    /// Batched calls push up to PanelWidth (16) vectors through the tree together. 21 vectors make a panel of
    /// 16 (two 8-vector blocks) and one of 5 (a 4-vector block and a single remainder); the other scratch sizes
    /// give panels of 8, 3 and 1.
    /// Every result must match the single-vector call (the panel products use FMA where the single ones
    /// round the product first, so only to float rounding) and the dense double-precision reference.
    /// </summary>
    [Theory]
    [MemberData(nameof(PanelCases))]
    public void Batched_panels_match_single_calls_and_the_dense_reference(string operation, int m, int p)
    {
        var model = TestModels.WellConditioned(m, p, seed: (ulong)(3 * m + p), scale: 1.5);
        var solver = GeneratedSolver.Build(model);
        int n = model.N, count = 21;
        int scratchLength = solver.Constant<int>("ScratchLength");
        solver.Constant<int>("BatchScratchLength").ShouldBe(solver.Constant<int>("PanelWidth") * scratchLength);
        var inputs = RandomVector(n * count, seed: 21);
        var expected = new float[n * count];
        for (int k = 0; k < count; k++) solver.Operation(operation)(inputs.AsSpan(k * n, n), expected.AsSpan(k * n, n));
        var reference = DenseReference.Operator(model);
        if (operation.EndsWith("Transpose", StringComparison.Ordinal)) reference = DenseReference.Transpose(reference);
        bool solve = operation.StartsWith("Solve", StringComparison.Ordinal);

        void Check(float[] actual, string how)
        {
            for (int k = 0; k < count; k++)
            {
                var vector = actual.AsSpan(k * n, n).ToArray();
                DenseReference.RelativeError(vector, Array.ConvertAll(expected.AsSpan(k * n, n).ToArray(), v => (double)v)).ShouldBeLessThan(1e-5, $"{how}, vector {k} vs the single call");
                var input = Array.ConvertAll(inputs.AsSpan(k * n, n).ToArray(), v => (double)v);
                var exact = solve ? DenseReference.Solve(reference, input) : DenseReference.Multiply(reference, input);
                DenseReference.RelativeError(vector, exact).ShouldBeLessThan(1e-4, $"{how}, vector {k} vs the dense reference");
            }
        }

        var batched = new float[n * count];
        solver.Batch(operation)(inputs, batched, count);
        Check(batched, "stack scratch");
        foreach (int vectors in new[] { 16, 8, 3, 1 })
        {
            var withScratch = new float[n * count];
            solver.BatchWithScratch(operation)(inputs, withScratch, count, new float[vectors * scratchLength + 5]);
            Check(withScratch, $"scratch for {vectors} vector(s)");
        }
        var inPlace = (float[])inputs.Clone();
        solver.BatchWithScratch(operation)(inPlace, inPlace, count, new float[16 * scratchLength]);
        Check(inPlace, "in place");

        var single = new float[n];
        solver.WithScratch(operation)(inputs.AsSpan(0, n), single, new float[scratchLength]);
        single.ShouldBe(expected.AsSpan(0, n).ToArray());
        solver.Batch(operation)(ReadOnlySpan<float>.Empty, Span<float>.Empty, 0);
    }

    /// <summary>
    /// At N = 1,024 floats (4 KiB) a panel's vectors would share their cache sets, so full-speed scratch holds a copy of
    /// the panel one cache line wider per vector, and sixteen vectors go through the G_i solves in the lanes. A solve must
    /// give the numbers of the in-place panels and of the wide sweeps (panels of 8): the same operations in the same order.
    /// </summary>
    [Theory]
    [InlineData("Solve")]
    [InlineData("SolveTranspose")]
    [InlineData("Apply")]
    [InlineData("ApplyTranspose")]
    public void Panels_copied_one_cache_line_apart_and_lane_sweeps_give_the_in_place_and_wide_sweep_numbers(string operation)
    {
        var model = TestModels.WellConditioned(64, 16, seed: 17, scale: 0.75);
        var solver = GeneratedSolver.Build(model, new EmbeddingForm(Resource: true, Looped: true));
        solver.Source.ShouldContain("LuSolveLanes(triangles, inverseDiagonal, ipiv, v.Slice(r * stride), stride);");
        int n = model.N, count = 21, scratchLength = solver.Constant<int>("ScratchLength");
        bool solve = operation.StartsWith("Solve", StringComparison.Ordinal);
        n.ShouldBe(1024);
        // The copy's stride: PaddedN plus one 64-byte line of floats.
        solver.Constant<int>("BatchScratchLength").ShouldBe(16 * (scratchLength + 1024 + 16));
        var inputs = RandomVector(n * count, seed: 23);
        float[] Run(int scratchFloats)
        {
            var output = new float[n * count];
            solver.BatchWithScratch(operation)(inputs, output, count, new float[scratchFloats]);
            return output;
        }

        var copied = Run(solver.Constant<int>("BatchScratchLength"));
        // Room for 16 vectors' slots but not for their copy: panels of 16 in place, through the lanes too.
        var inPlacePanels = Run(16 * scratchLength);
        // Panels of 8 in place: the wide sweeps instead of the lanes, the same products as panels of 16 in place.
        Run(8 * scratchLength).ShouldBe(inPlacePanels, "in-place panels of 8 and of 16");
        if (solve) inPlacePanels.ShouldBe(copied, "in-place and copied panels of 16");
        else
            // A product on the copy runs with x = y, as a padded model's always does, which rounds differently from x ≠ y.
            for (int k = 0; k < count; k++)
                DenseReference.RelativeError(inPlacePanels.AsSpan(k * n, n).ToArray(), Array.ConvertAll(copied.AsSpan(k * n, n).ToArray(), v => (double)v))
                    .ShouldBeLessThan(1e-6, $"in-place and copied panels of 16, vector {k}");
        var inPlace = (float[])inputs.Clone();
        solver.BatchWithScratch(operation)(inPlace, inPlace, count, new float[solver.Constant<int>("BatchScratchLength")]);
        inPlace.ShouldBe(copied, "copied panels, x = b");

        var reference = DenseReference.Operator(model);
        if (operation.EndsWith("Transpose", StringComparison.Ordinal)) reference = DenseReference.Transpose(reference);
        for (int k = 0; k < count; k++)
        {
            var input = Array.ConvertAll(inputs.AsSpan(k * n, n).ToArray(), v => (double)v);
            var exact = solve ? DenseReference.Solve(reference, input) : DenseReference.Multiply(reference, input);
            DenseReference.RelativeError(copied.AsSpan(k * n, n).ToArray(), exact).ShouldBeLessThan(1e-4, $"vector {k} vs the dense reference");
        }
    }

    [Fact]
    public void Bad_arguments_throw_argument_exceptions_naming_the_argument()
    {
        var model = TestModels.WellConditioned(2, 4, seed: 9);
        var solver = GeneratedSolver.Build(model);
        var solve = solver.Operation("Solve");
        var solveBatch = solver.Batch("Solve");
        var apply = solver.WithScratch("Apply");

        Should.Throw<ArgumentException>(() => solve(new float[7], new float[8])).ParamName.ShouldBe("b");
        Should.Throw<ArgumentException>(() => solve(new float[8], new float[9])).ParamName.ShouldBe("x");
        var shared = new float[12];
        Should.Throw<ArgumentException>(() => solve(shared.AsSpan(0, 8), shared.AsSpan(4, 8))).Message.ShouldContain("partially overlaps");
        Should.Throw<ArgumentOutOfRangeException>(() => solveBatch(new float[8], new float[8], -1)).ParamName.ShouldBe("count");
        Should.Throw<ArgumentException>(() => solveBatch(new float[8], new float[8], 2)).Message.ShouldContain("2 vector(s)");
        Should.Throw<ArgumentException>(() => apply(new float[8], new float[8], new float[3])).ParamName.ShouldBe("scratch");
        var all = new float[8 + 8 + 16];
        Should.Throw<ArgumentException>(() => apply(all.AsSpan(0, 8), all.AsSpan(8, 8), all.AsSpan(12, 16))).ParamName.ShouldBe("scratch");
    }

    internal static float[] RandomVector(int n, int seed)
    {
        var random = new Random(seed);
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float)(random.NextDouble() * 2 - 1);
        return v;
    }
}
