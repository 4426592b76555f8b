extern alias GeneratorAssembly;

using GenLu.Exact;
using GenLu.Gfmm;
using GenLu.Operators;
using GenLu.Structure;
using GenLu.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

using EmbeddedModelManifest = GeneratorAssembly::GenLu.Generator.Embedding.EmbeddedModelManifest;
using SparsePatterns = GeneratorAssembly::GenLu.Generator.Embedding.SparsePatterns;

namespace GenLu.Tests;

/// <summary>
/// Sparse kernels: tensors and diagonal blocks with few non-zero entries get code for those entries alone. Checked on
/// the exact factors of the 1D Laplacian, whose structure is known from the textbook LU of a tridiagonal matrix, and on
/// a model with more distinct patterns than the generator keeps.
/// </summary>
public class SparseKernelTests
{
    private const int M = 8, P = 8;

    private static GfmmModel ExactLaplacian(int n, GfmmDtype dtype = GfmmDtype.Float32)
    {
        var laplacian = TestOperators.Create("laplacian1d", n);
        return ExactFactorization.Build(laplacian.Matrix, n, M, P, scale: laplacian.Scale, dtype: dtype).Model;
    }

    private static double[,] Tridiagonal(int n)
    {
        var a = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            a[i, i] = 2;
            if (i > 0) a[i, i - 1] = a[i - 1, i] = -1;
        }
        return a;
    }

    private static SparsePatterns Find(GfmmModel model)
    {
        var lower = DiagonalBlockFactors<float>.TryCreate(model.L.Store<float>(), out _)!;
        var upper = DiagonalBlockFactors<float>.TryCreate(model.U.Store<float>(), out _)!;
        return SparsePatterns.Find<float>(model.M, model.P, Stored(model.L), model.L.Store<float>().Values, Stored(model.U), model.U.Store<float>().Values,
            lower.FactorsTransposed, lower.Pivots, upper.FactorsTransposed, upper.Pivots);
    }

    private static int[] Stored(GfmmBlock block) =>
        Enumerable.Range(0, block.Layout.TensorCount).Where(block.IsStored).ToArray();

    [Fact]
    public void The_exact_laplacian_factors_have_bidiagonal_blocks_and_bridges_of_one_corner_entry()
    {
        // tridiag(-1, 2, -1) = L U with L unit lower bidiagonal and U upper bidiagonal (no pivoting: |l_k| < 1), so each
        // G_i of L is lower bidiagonal, each G_i of U upper bidiagonal, and leaf i meets leaf i ± 1 in one corner entry.
        var model = ExactLaplacian(M * P);
        var sparsity = Find(model);

        // Positions are column · P + row: L's sub-diagonal block W[0, P-1], U's super-diagonal block W[P-1, 0].
        sparsity.Products.Length.ShouldBe(2);
        sparsity.Products.ShouldContain(pattern => pattern.SequenceEqual(new[] { (P - 1) * P }));
        sparsity.Products.ShouldContain(pattern => pattern.SequenceEqual(new[] { P - 1 }));
        var subDiagonal = Enumerable.Range(0, P - 1).Select(k => k * P + k + 1).ToArray();
        var superDiagonal = Enumerable.Range(0, P - 1).Select(k => (k + 1) * P + k).ToArray();
        sparsity.SolveLower.Length.ShouldBe(2);
        for (int block = 0; block < 2 * M; block++)
        {
            int pattern = sparsity.BlockPattern(block);
            pattern.ShouldNotBe(SparsePatterns.Dense);
            sparsity.SolveLower[pattern].ShouldBe(block < M ? subDiagonal : [], $"block {block}");
            sparsity.SolveUpper[pattern].ShouldBe(block < M ? [] : superDiagonal, $"block {block}");
        }
        foreach (var block in new[] { model.L, model.U })
            for (int t = 0; t < block.Layout.TensorCount; t++)
            {
                int pattern = (block.Kind == GfmmKind.Lower ? sparsity.LowerTensors : sparsity.UpperTensors)[t];
                (pattern != SparsePatterns.Dense).ShouldBe(block.IsStored(t) && !block.Layout.IsDiagonal(t), block.Layout.TensorName(t));
            }
    }

    public static TheoryData<int, int> Forms => new() { { 64, 0 }, { 64, 1 }, { 64, 2 }, { 64, 3 }, { 61, 0 }, { 61, 3 } };

    [Theory]
    [MemberData(nameof(Forms))]
    public void Every_form_of_the_exact_laplacian_class_calls_the_sparse_kernels_and_solves_it(int n, int formIndex)
    {
        var model = ExactLaplacian(n);
        var form = EmbeddingForm.All[formIndex];
        var solver = GeneratedSolver.Build(model, form);
        string source = solver.Source;
        source.ShouldContain("private static void LuSolveSparse0(");
        source.ShouldContain("private static void AddTransposedProductSparse1(");
        if (form.Looped) source.ShouldContain("else LuSolveSparse((code >> 4) - 1,");
        else
        {
            System.Text.RegularExpressions.Regex.IsMatch(source, @"\bLuSolve\(factors").ShouldBeFalse("no dense block solve is called");
            // Products call the dense kernel only for the G_i themselves (2P - 1 = 15 of 64 entries: not sparse at P = 8).
            source.Split('\n').Where(line => System.Text.RegularExpressions.Regex.IsMatch(line, @"\bAdd(Transposed)?Product\(w"))
                .ShouldAllBe(line => line.Contains("diag_blocks"));
        }

        var literal = GeneratedSolver.Build(model);
        var input = GeneratedSolverTests.RandomVector(n, seed: 11);
        // κ(tridiag(-1, 2, -1)) ≈ 4n²/π² ≈ 1.7e3 here: float factors give about 1e-7 · κ; the product is exact to rounding.
        solver.ShouldMatchDenseAndForm(literal, input, Tridiagonal(n), Array.ConvertAll(input, v => (double)v), 1e-3, 1e-5, form.ToString());

        // A batch of 19 vectors in place (panels of 16 and 3) gives each vector's own solve, bit for bit.
        var batch = GeneratedSolverTests.RandomVector(n * 19, seed: 12);
        var oneByOne = new float[batch.Length];
        for (int r = 0; r < 19; r++) solver.Operation("Solve")(batch.AsSpan(r * n, n), oneByOne.AsSpan(r * n, n));
        solver.Batch("Solve")(batch, batch, 19);
        batch.ShouldBe(oneByOne, $"{form}: batched solve");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_float64_exact_laplacian_class_solves_to_double_rounding_through_the_sparse_kernels(bool looped)
    {
        const int n = 64;
        var model = ExactLaplacian(n, GfmmDtype.Float64);
        var solver = GeneratedSolver.Build(model, new EmbeddingForm(Resource: true, Looped: looped));
        solver.Source.ShouldContain("private static void LuSolveTransposedSparse1(global::System.ReadOnlySpan<double> triangles");
        var a = Tridiagonal(n);
        var b = Array.ConvertAll(GeneratedSolverTests.RandomVector(n, seed: 13), v => (double)v);
        var x = new double[n];
        foreach (string operation in new[] { "Solve", "SolveTranspose" })
        {
            solver.Operation<double>(operation)(b, x);
            DenseReference.RelativeError(x, DenseReference.Solve(a, b)).ShouldBeLessThan(1e-12, operation);
        }
        solver.Operation<double>("Apply")(b, x);
        DenseReference.RelativeError(x, DenseReference.Multiply(a, b)).ShouldBeLessThan(1e-14);
    }

    [Fact]
    public void More_distinct_patterns_than_kept_leave_the_rest_dense_and_every_form_still_solves()
    {
        // Every off-diagonal tensor keeps P²/8 = 8 entries at its own random positions: 30 distinct sparse patterns of L
        // and U together, of which the generator keeps the first MaxPatterns (all occur once).
        var model = TestModels.WellConditioned(M, P, seed: 21, scale: 1.5);
        var random = new Random(22);
        foreach (var block in new[] { model.L, model.U })
            for (int t = 0; t < block.Layout.TensorCount; t++)
            {
                if (block.Layout.IsDiagonal(t)) continue;
                var tensor = block.Tensor(t);
                var keep = Enumerable.Range(0, P * P).OrderBy(_ => random.Next()).Take(P * P / 8).ToHashSet();
                for (int k = 0; k < tensor.Length; k++) if (!keep.Contains(k)) tensor[k] = 0;
            }
        var sparsity = Find(model);
        sparsity.Products.Length.ShouldBe(SparsePatterns.MaxPatterns);
        int sparseTensors = new[] { model.L, model.U }.Sum(block =>
            (block.Kind == GfmmKind.Lower ? sparsity.LowerTensors : sparsity.UpperTensors).Count(pattern => pattern != SparsePatterns.Dense));
        sparseTensors.ShouldBe(SparsePatterns.MaxPatterns);
        sparsity.SolveLower.ShouldBeEmpty("I plus a dense perturbation: the blocks stay dense");

        var a = DenseReference.Operator(model);
        var input = GeneratedSolverTests.RandomVector(M * P, seed: 23);
        var b = Array.ConvertAll(input, v => (double)v);
        var output = new float[M * P];
        foreach (var form in EmbeddingForm.All)
        {
            var solver = GeneratedSolver.Build(model, form);
            solver.Operation("Solve")(input, output);
            DenseReference.RelativeError(output, DenseReference.Solve(a, b)).ShouldBeLessThan(1e-5, form.ToString());
            solver.Operation("ApplyTranspose")(input, output);
            DenseReference.RelativeError(output, DenseReference.Multiply(DenseReference.Transpose(a), b)).ShouldBeLessThan(1e-5, form.ToString());
        }
    }

    [Fact]
    public void The_manifest_carries_the_patterns_and_a_damaged_assignment_is_refused()
    {
        var model = ExactLaplacian(M * P);
        using var step = EmbeddedBuildStep.Run(TestModels.Json(model));
        var parsed = EmbeddedModelManifest.Parse(step.Manifest, out string error).ShouldNotBeNull(error);
        parsed.Sparsity.ShouldBe(Find(model));

        string source = GeneratorHarness.SolverSource("Solver", step.WeightPath);
        int start = step.Manifest.IndexOf("\nblockPatterns ", StringComparison.Ordinal);
        start.ShouldBeGreaterThan(0);
        int end = step.Manifest.IndexOf('\n', start + 1);
        foreach (string damaged in new[] { "\nblockPatterns 16:aaaaaaaazbbbbbbb", "\nblockPatterns 15:aaaaaaaabbbbbbb", "\nblockPatternz 16:aaaaaaaabbbbbbbb" })
        {
            string text = step.Manifest.Substring(0, start) + damaged + step.Manifest.Substring(end);
            var (_, result) = GeneratorHarness.Run(GeneratorHarness.Compilation(source),
                [new InMemoryAdditionalText(step.WeightPath, step.Json), new InMemoryAdditionalText(step.ManifestPath, text)], []);
            result.Diagnostics.ShouldHaveSingleItem().Id.ShouldBe("GLU012", damaged);
        }
    }
}
