using GenLu.Exact;
using GenLu.Gfmm;
using GenLu.Operators;
using GenLu.Structure;
using GenLu.Tests.Infrastructure;
using Xunit.Abstractions;

namespace GenLu.Tests;

/// <summary>
/// Double generated solvers: a float64 weight file (or <c>Precision = Double</c> on a float32 one) compiles to the same
/// schedules and kernels over double spans, in every embedding form. The ill-conditioned operator is the RBF kernel
/// with a tiny nugget (condition number above 1e8), whose float solve keeps no correct digit; its M = 2 exact factors
/// hold the block LU with nothing truncated, so only the number type differs between the float and the double model.
/// </summary>
public class Float64SolverTests(ITestOutputHelper output)
{
    private const int KernelN = 64;

    private static readonly OperatorMatrix Kernel = TestOperators.RbfKernel(KernelN, lengthScale: 0.05, nugget: 1e-7);

    private static GfmmModel ExactKernel(GfmmDtype dtype) => ExactFactorization.Build(Kernel.Matrix, KernelN, 2, 32, dtype: dtype).Model;

    /// <summary>Indices into <see cref="EmbeddingForm.All"/>: literal or resource data, unrolled or looped schedules.</summary>
    public static TheoryData<int> Forms => [0, 1, 2, 3];

    [Theory]
    [MemberData(nameof(Forms))]
    public void Double_solves_of_an_ill_conditioned_kernel_keep_six_digits_where_float_solves_keep_none(int formIndex)
    {
        var form = EmbeddingForm.All[formIndex];
        var a = Dense(Kernel.Matrix, KernelN);
        double condition = DenseReference.ConditionNumber(a);
        condition.ShouldBeGreaterThan(1e8);
        var model = ExactKernel(GfmmDtype.Float64);
        var solver = GeneratedSolver.Build(model, form);
        solver.HasSpanMethod("Solve", typeof(double)).ShouldBeTrue();
        solver.HasSpanMethod("Solve", typeof(float)).ShouldBeFalse();
        var floatSolver = GeneratedSolver.Build(ExactKernel(GfmmDtype.Float32), form);

        // A smooth solution, as a kernel regression has: b = A x, and the dense double solve of b as the reference.
        var known = Enumerable.Range(0, KernelN).Select(i => Math.Sin(0.37 * i + 0.2) + 0.5).ToArray();
        var b = DenseReference.Multiply(a, known);
        var expected = DenseReference.Solve(a, b);
        var x = new double[KernelN];
        solver.Operation<double>("Solve")(b, x);
        var xf = new float[KernelN];
        floatSolver.Operation<float>("Solve")(Array.ConvertAll(b, v => (float)v), xf);
        double doubleError = DenseReference.RelativeError(x, expected), floatError = DenseReference.RelativeError(xf, expected);

        // The Runtime's double solve of the same model: the same G_i factors and schedule, other kernels (summation order).
        var runtime = new GfmmSolver(model);
        var fromRuntime = new double[KernelN];
        runtime.Solve(b, fromRuntime, runtime.CreateWorkspace());
        double agreement = DenseReference.RelativeError(x, fromRuntime);
        output.WriteLine($"{form}: cond1(A) = {condition:E2}; relative error against the dense double solve: double generated {doubleError:E2}, " +
                         $"float generated {floatError:E2}; double generated against the Runtime's double solve {agreement:E2}");
        doubleError.ShouldBeLessThanOrEqualTo(1e-6);
        floatError.ShouldBeGreaterThan(1e-2);
        floatError.ShouldBeGreaterThan(1e4 * doubleError);
        // Rounding differences amplified by at most the condition number.
        agreement.ShouldBeLessThan(condition * 1e-15);
    }

    /// <summary>Shapes that reach every double kernel: P = 16 (Vector512 of 8 doubles, the wide and the interleaved sweeps),
    /// P = 8 (Vector256 register sweeps), P = 6 (Vector128 products, Vector256 sweeps with scalar tails), P = 3 (scalar tails), P = 1 (no vector at all)
    /// and a padded order; each in a form of its own.</summary>
    public static TheoryData<int, int, int, int> Shapes => new()
    {
        { 4, 16, 0, 0 },
        { 4, 16, 0, 3 },
        { 8, 8, 0, 1 },
        { 4, 6, 21, 2 },
        { 8, 3, 0, 0 },
        { 2, 1, 0, 1 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Double_solves_and_products_equal_the_runtime_and_the_dense_model(int m, int p, int n, int formIndex)
    {
        var model = WellConditioned64(m, p, n, scale: 1.5);
        var solver = GeneratedSolver.Build(model, EmbeddingForm.All[formIndex]);
        int order = model.N;
        var runtime = new GfmmSolver(model);
        var solverWorkspace = runtime.CreateWorkspace();
        var modelWorkspace = model.CreateWorkspace();
        var dense = Dense(model.ToDense(), order);
        var input = Vector(order, seed: m + p);

        var cases = new (string Name, VectorOperation<double> Runtime, Func<double[], double[]> Dense)[]
        {
            ("Solve", (b, x) => runtime.Solve(b, x, solverWorkspace), b => DenseReference.Solve(dense, b)),
            ("SolveTranspose", (b, x) => runtime.SolveTranspose(b, x, solverWorkspace), b => DenseReference.Solve(DenseReference.Transpose(dense), b)),
            ("Apply", (x, y) => model.Apply(x, y, modelWorkspace), x => DenseReference.Multiply(dense, x)),
            ("ApplyTranspose", (x, y) => model.ApplyTranspose(x, y, modelWorkspace), x => DenseReference.Multiply(DenseReference.Transpose(dense), x)),
        };
        foreach (var (name, fromRuntime, fromDense) in cases)
        {
            var generated = new double[order];
            solver.Operation<double>(name)(input, generated);
            var expected = new double[order];
            fromRuntime(input, expected);
            DenseReference.RelativeError(generated, expected).ShouldBeLessThan(1e-13, $"{name} against the Runtime");
            // A padded model solves s L U on the zero-padded vector; the dense oracle is its leading N x N block, which
            // products reproduce and solves do not (the inverse of a leading block is not the leading block of the inverse).
            if (order == model.PaddedN || !name.StartsWith("Solve", StringComparison.Ordinal))
                DenseReference.RelativeError(generated, fromDense(input)).ShouldBeLessThan(1e-12, $"{name} against the dense s L U");
        }
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public void The_double_products_are_adjoint_and_batches_equal_single_calls(int formIndex)
    {
        // P = 16 (wide sweeps of 8 vectors) in two forms, P = 32 (wide sweeps of 4) in the other two.
        var model = WellConditioned64(4, formIndex % 2 == 0 ? 16 : 32, 0, scale: 0.75);
        var solver = GeneratedSolver.Build(model, EmbeddingForm.All[formIndex]);
        int n = model.N, scratch = solver.Constant<int>("ScratchLength");

        // <Fᵀ x, y> = <x, F y> for F = s L U and for F⁻¹.
        var x = Vector(n, seed: 1);
        var y = Vector(n, seed: 2);
        foreach (var (forward, transposed) in new[] { ("Apply", "ApplyTranspose"), ("Solve", "SolveTranspose") })
        {
            var fy = new double[n];
            var ftx = new double[n];
            solver.Operation<double>(forward)(y, fy);
            solver.Operation<double>(transposed)(x, ftx);
            double left = Dot(ftx, y), right = Dot(x, fy);
            Math.Abs(left - right).ShouldBeLessThan(1e-13 * Norm(ftx) * Norm(y), $"{forward}/{transposed}");
        }

        // 21 vectors: a panel of 16 (two 8-vector blocks, a wide sweep) and one of 5; narrower scratch gives panels of 3.
        const int count = 21;
        var inputs = Vector(n * count, seed: 3);
        foreach (string operation in new[] { "Solve", "SolveTranspose", "Apply", "ApplyTranspose" })
        {
            var single = new double[n * count];
            for (int k = 0; k < count; k++) solver.WithScratch<double>(operation)(inputs.AsSpan(k * n, n), single.AsSpan(k * n, n), new double[scratch]);
            var stack = new double[n * count];
            solver.Batch<double>(operation)(inputs, stack, count);
            var narrow = new double[n * count];
            solver.BatchWithScratch<double>(operation)(inputs, narrow, count, new double[3 * scratch]);
            var inPlace = (double[])inputs.Clone();
            solver.BatchWithScratch<double>(operation)(inPlace, inPlace, count, new double[solver.Constant<int>("BatchScratchLength")]);
            foreach (var (batch, how) in new[] { (stack, "stack scratch"), (narrow, "panels of 3"), (inPlace, "in place") })
                for (int k = 0; k < count; k++)
                    DenseReference.RelativeError(batch.AsSpan(k * n, n), single.AsSpan(k * n, n)).ShouldBeLessThan(1e-14, $"{operation}, {how}, vector {k}");
        }

        // The parallel solve runs the serial call's panels: the same numbers, bit for bit.
        var serial = new double[n * count];
        solver.BatchWithScratch<double>("Solve")(inputs, serial, count, new double[solver.Constant<int>("BatchScratchLength")]);
        var parallel = new double[n * count];
        solver.Parallel<double>()(inputs, parallel, count);
        parallel.ShouldBe(serial);
    }

    [Fact]
    public void Precision_Double_widens_a_float32_file_and_factors_its_blocks_in_double()
    {
        var model = TestModels.WellConditioned(4, 8, seed: 11, scale: 2);
        var widened = GeneratedSolver.Build(model, EmbeddingForm.All[0], ", Precision = GenLu.GfmmPrecision.Double");
        widened.HasSpanMethod("Solve", typeof(double)).ShouldBeTrue();
        widened.HasSpanMethod("Solve", typeof(float)).ShouldBeFalse();
        var runtime = new GfmmSolver(model.ToFloat64());
        var b = Vector(model.N, seed: 4);
        var x = new double[model.N];
        widened.Operation<double>("Solve")(b, x);
        var expected = new double[model.N];
        runtime.Solve(b, expected, runtime.CreateWorkspace());
        DenseReference.RelativeError(x, expected).ShouldBeLessThan(1e-13);
        // Factored in double, not the float factors widened: det agrees with the Runtime's float64 solver to double rounding.
        widened.Constant<double>("LogAbsDeterminant").ShouldBe(runtime.LogDeterminant.LogAbsoluteValue, 1e-12 * Math.Abs(runtime.LogDeterminant.LogAbsoluteValue) + 1e-12);
    }

    [Fact]
    public void Precision_Single_or_left_out_generates_the_float_source_of_a_float32_file_unchanged()
    {
        string json = TestModels.Json(TestModels.WellConditioned(2, 4, seed: 8));
        string Source(string arguments)
        {
            var (_, result) = GeneratorHarness.Run(GeneratorHarness.SolverSource("Tiny", "models/tiny.gfmm.json", attributeArguments: arguments),
                WeightFiles.File(json, "/project/src/models/tiny.gfmm.json"));
            result.Diagnostics.ShouldBeEmpty();
            return GeneratorHarness.SolverText(result);
        }
        string plain = Source("");
        Source(", Precision = GenLu.GfmmPrecision.Single").ShouldBe(plain);
        Source(", Precision = GenLu.GfmmPrecision.FromWeightFile").ShouldBe(plain);
        plain.ShouldNotContain("double>");
    }

    [Fact]
    public void Source_for_a_tiny_M2_P2_float64_model_matches_the_approved_snapshot()
    {
        var model = WellConditioned64(2, 2, 0, scale: 0.5);
        var (compilation, result) = GeneratorHarness.Run(GeneratorHarness.SolverSource("Tiny", "models/tiny.gfmm.json"),
            WeightFiles.File(TestModels.Json(model), "/project/src/models/tiny.gfmm.json"));
        result.Diagnostics.ShouldBeEmpty();
        GeneratorHarness.Problems(compilation).ShouldBeEmpty();
        GeneratorHarness.SolverText(result).ShouldMatchApproved(c => c.SubFolder("Snapshots"));
    }

    /// <summary><see cref="TestModels.WellConditioned"/> as a float64 model whose weights have digits a float cannot hold
    /// (each weight plus 1e-9 of itself), of order <paramref name="n"/> (0: M · P).</summary>
    internal static GfmmModel WellConditioned64(int m, int p, int n, double scale)
    {
        var single = TestModels.WellConditioned(m, p, seed: (ulong)(7 * m + p), scale: scale);
        var model = n == 0 ? single.ToFloat64() : new GfmmModel(single.L, single.U, scale, single.Provenance, n).ToFloat64();
        foreach (var block in new[] { model.L, model.U })
            for (int t = 0; t < block.Layout.TensorCount; t++)
            {
                if (!block.IsStored(t)) continue;
                var tensor = block.Tensor<double>(t);
                for (int k = 0; k < tensor.Length; k++) tensor[k] *= 1 + 1e-9 * ((k % 7) - 3);
            }
        return model;
    }

    private static double[,] Dense(double[] rowMajor, int n)
    {
        var a = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) a[i, j] = rowMajor[i * n + j];
        return a;
    }

    private static double[] Vector(int n, int seed)
    {
        var random = new Random(seed);
        var v = new double[n];
        for (int i = 0; i < n; i++) v[i] = 2 * random.NextDouble() - 1;
        return v;
    }

    private static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    private static double Norm(double[] a) => Math.Sqrt(Dot(a, a));
}
