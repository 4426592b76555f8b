using GenLu.Tests.Infrastructure;

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

    [Fact]
    public void Constants_describe_the_model()
    {
        var model = TestModels.WellConditioned(8, 3, seed: 5, scale: 2.5);
        var solver = GeneratedSolver.Build(model);
        solver.Constant<int>("M").ShouldBe(8);
        solver.Constant<int>("P").ShouldBe(3);
        solver.Constant<int>("N").ShouldBe(24);
        solver.Constant<double>("Scale").ShouldBe(2.5);
        solver.Constant<int>("ScratchLength").ShouldBe(2 * 3 * 3); // 2 · log2(M) · P
        solver.Constant<string>("WeightsSha256").ShouldBe(GfmmFile.Parse(TestModels.Json(model)).Sha256);
    }

    [Theory]
    [InlineData("Solve")]
    [InlineData("SolveTranspose")]
    [InlineData("Apply")]
    [InlineData("ApplyTranspose")]
    public void In_place_batched_and_scratch_overloads_agree_with_the_single_call(string operation)
    {
        var model = TestModels.WellConditioned(4, 6, seed: 3, scale: 1.5);
        var solver = GeneratedSolver.Build(model);
        int n = model.N, count = 3;
        var inputs = RandomVector(n * count, seed: 21);
        var expected = new float[n * count];
        for (int k = 0; k < count; k++) solver.Operation(operation)(inputs.AsSpan(k * n, n), expected.AsSpan(k * n, n));

        var batched = new float[n * count];
        solver.Batch(operation)(inputs, batched, count);
        batched.ShouldBe(expected);

        var withScratch = new float[n * count];
        var scratch = new float[solver.Constant<int>("ScratchLength") + 5];
        solver.BatchWithScratch(operation)(inputs, withScratch, count, scratch);
        withScratch.ShouldBe(expected);

        var single = new float[n];
        solver.WithScratch(operation)(inputs.AsSpan(0, n), single, scratch);
        single.ShouldBe(expected.AsSpan(0, n).ToArray());

        var inPlace = (float[])inputs.Clone();
        solver.Batch(operation)(inPlace, inPlace, count);
        inPlace.ShouldBe(expected);
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
