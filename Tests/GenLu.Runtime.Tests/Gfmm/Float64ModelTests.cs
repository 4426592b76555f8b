using GenLu.Dense;
using GenLu.Exact;
using GenLu.Gfmm;
using GenLu.Operators;
using GenLu.Structure;
using GenLu.Tests.Support;

namespace GenLu.Tests.Gfmm;

/// <summary>
/// float64 models: factors built in double, kept and solved in double. The references are dense double computations
/// on the operator itself (a known solution x, <c>b = A x</c>; the dense LU's log-determinant; dense products).
/// </summary>
public class Float64ModelTests
{
    /// <summary>
    /// A Gaussian-process kernel: the squared exponential k(t, t') = exp(−(t − t')² / (2 ℓ²)) on n points of [0, 1] plus
    /// a small nugget on the diagonal, the usual shape of an ill-conditioned covariance matrix (its eigenvalues decay
    /// like a Gaussian's, down to the nugget), row-major.
    /// </summary>
    private static double[] KernelMatrix(int n, double lengthScale, double nugget)
    {
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double d = (i - j) / (double)(n - 1);
                a[i * n + j] = Math.Exp(-d * d / (2 * lengthScale * lengthScale)) + (i == j ? nugget : 0);
            }
        return a;
    }

    private static double[] Product(double[] a, ReadOnlySpan<double> x, int n, bool transpose = false)
    {
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double sum = 0;
            for (int j = 0; j < n; j++) sum += (transpose ? a[j * n + i] : a[i * n + j]) * x[j];
            y[i] = sum;
        }
        return y;
    }

    private static double[] KnownSolution(int n) => Enumerable.Range(0, n).Select(i => Math.Sin(0.37 * i + 0.2) + 0.5).ToArray();

    /// <summary>Kernels with condition numbers (1-norm) of 1.4e8 and 1.3e8: a short and a long length scale.</summary>
    public static TheoryData<double, double> IllConditionedKernels() => new()
    {
        { 0.05, 1e-7 },
        { 0.5, 1e-6 },
    };

    [Theory]
    [MemberData(nameof(IllConditionedKernels))]
    public void A_float64_solve_of_a_kernel_matrix_with_condition_1e8_keeps_six_digits_where_float32_keeps_none(double lengthScale, double nugget)
    {
        // M = 2: L = [G_0 0; F_10 G_1] and U likewise hold the block LU exactly (no far field, nothing truncated),
        // so the only difference between the two models is the rounding of the same factors.
        const int n = 64, m = 2, p = 32;
        var a = KernelMatrix(n, lengthScale, nugget);
        double condition = DenseMath.ConditionNumber1(a, n);
        condition.ShouldBeGreaterThanOrEqualTo(1e8);
        var x = KnownSolution(n);
        var b = Product(a, x, n);

        var wide = new GfmmSolver(ExactFactorization.Build(a, n, m, p, dtype: GfmmDtype.Float64).Model);
        wide.Dtype.ShouldBe(GfmmDtype.Float64);
        var solution = new double[n];
        wide.Solve(b, solution, wide.CreateWorkspace());
        double wideError = DenseMath.RelativeError(x, solution);
        wideError.ShouldBeLessThanOrEqualTo(1e-6, $"condition {condition:E2}");

        var single = new GfmmSolver(ExactFactorization.Build(a, n, m, p).Model);
        single.Dtype.ShouldBe(GfmmDtype.Float32);
        var singleSolution = new float[n];
        single.Solve(DenseMath.ToFloat(b), singleSolution);
        double singleError = DenseMath.RelativeError(x, singleSolution);
        // float32 rounding (6e-8) times the condition number: no correct digit, as the issue measured.
        singleError.ShouldBeGreaterThan(1e-2);
        singleError.ShouldBeGreaterThan(1e4 * wideError);
    }

    [Fact]
    public void The_float64_log_determinant_of_the_kernel_matrix_is_the_dense_LU_s()
    {
        const int n = 64;
        var a = KernelMatrix(n, lengthScale: 0.05, nugget: 1e-7);
        var solver = new GfmmSolver(ExactFactorization.Build(a, n, 2, 32, scale: 1, dtype: GfmmDtype.Float64).Model);
        var (sign, logAbs) = new LuFactorization<double>(a, n, MatrixLayout.RowMajor).LogDeterminant();
        solver.LogDeterminant.Sign.ShouldBe(sign);
        // Both are double LUs of the same matrix (with different pivoting): they agree to about cond · eps per pivot.
        solver.LogDeterminant.LogAbsoluteValue.ShouldBe(logAbs, 1e-6 * Math.Abs(logAbs));
    }

    public static TheoryData<string, int> PaddedOperators() => new()
    {
        { "laplacian1d", 50 },
        { "convdiff1d", 61 },
    };

    /// <summary>Banded operators: the exact factors have no far field, so they are exact to double rounding.</summary>
    private static (GfmmModel Model, double[] A) PaddedExactModel(string name, int n)
    {
        var op = TestOperators.Create(name, n);
        var model = ExactFactorization.Build(op.Matrix, n, 8, 8, scale: op.Scale, dtype: GfmmDtype.Float64).Model;
        model.Dtype.ShouldBe(GfmmDtype.Float64);
        model.PaddedN.ShouldBe(64);
        return (model, op.Matrix.Select(v => v * op.Scale).ToArray());
    }

    [Theory]
    [MemberData(nameof(PaddedOperators))]
    public void Padded_float64_solves_products_and_transposes_match_dense_double(string name, int n)
    {
        var (model, a) = PaddedExactModel(name, n);
        var solver = new GfmmSolver(model);
        var x = KnownSolution(n);
        var workspace = solver.CreateWorkspace();

        var solution = new double[n];
        solver.Solve(Product(a, x, n), solution, workspace);
        DenseMath.RelativeError(x, solution).ShouldBeLessThan(1e-11, "solve");
        solver.SolveTranspose(Product(a, x, n, transpose: true), solution, workspace);
        DenseMath.RelativeError(x, solution).ShouldBeLessThan(1e-11, "transposed solve");

        var y = new double[n];
        model.Apply(x, y, model.CreateWorkspace());
        DenseMath.RelativeError(Product(a, x, n), y).ShouldBeLessThan(1e-13, "apply");
        model.ApplyTranspose(x, y, model.CreateWorkspace());
        DenseMath.RelativeError(Product(a, x, n, transpose: true), y).ShouldBeLessThan(1e-13, "transposed apply");

        var dense = model.ToDense();
        (dense.Zip(a, (u, v) => Math.Abs(u - v)).Max() / a.Max(Math.Abs)).ShouldBeLessThan(1e-13, "ToDense");

        var (sign, logAbs) = new LuFactorization<double>(a, n, MatrixLayout.RowMajor).LogDeterminant();
        solver.LogDeterminant.Sign.ShouldBe(sign);
        solver.LogDeterminant.LogAbsoluteValue.ShouldBe(logAbs, 1e-10 * (1 + Math.Abs(logAbs)));
    }

    [Fact]
    public void Float64_transposed_products_and_solves_are_adjoint()
    {
        // <Fᵀ x, y> = <x, F y> for each block, and <A⁻ᵀ x, y> = <x, A⁻¹ y> for the solver, on a model with a far field.
        var model = GfmmRandom.WellConditioned(8, 4, seed: 3).ToFloat64();
        var solver = new GfmmSolver(model);
        int n = model.N;
        var random = new Random(5);
        var x = DenseMath.RandomVector(n, random);
        var y = DenseMath.RandomVector(n, random);
        foreach (var block in new[] { model.L, model.U })
        {
            var workspace = block.CreateWorkspace();
            var fy = new double[n];
            var ftx = new double[n];
            block.Multiply(y, fy, workspace);
            block.MultiplyTranspose(x, ftx, workspace);
            double left = Dot(ftx, y), right = Dot(x, fy);
            Math.Abs(left - right).ShouldBeLessThan(1e-13 * (Math.Abs(left) + 1), block.Kind.ToString());
        }

        var ws = solver.CreateWorkspace();
        var solved = new double[n];
        var solvedTransposed = new double[n];
        solver.Solve(y, solved, ws);
        solver.SolveTranspose(x, solvedTransposed, ws);
        double lhs = Dot(solvedTransposed, y), rhs = Dot(x, solved);
        Math.Abs(lhs - rhs).ShouldBeLessThan(1e-12 * (Math.Abs(lhs) + 1), "solves");
    }

    private static double Dot(ReadOnlySpan<double> u, ReadOnlySpan<double> v)
    {
        double sum = 0;
        for (int i = 0; i < u.Length; i++) sum += u[i] * v[i];
        return sum;
    }

    [Fact]
    public void A_float64_model_of_float32_weights_solves_like_a_dense_double_solve_of_its_own_matrix()
    {
        // The widened model is exactly the float32 model's matrix; solving it in double is then that matrix's solve.
        var single = GfmmRandom.WellConditioned(8, 4, seed: 11);
        var wide = single.ToFloat64();
        wide.ToDense().ShouldBe(single.ToDense());
        int n = wide.N;
        var a = wide.ToDense();
        var x = KnownSolution(n);
        var solution = new double[n];
        new GfmmSolver(wide).Solve(Product(a, x, n), solution, wide.CreateWorkspace());
        DenseMath.RelativeError(x, solution).ShouldBeLessThan(1e-13);
    }

    [Fact]
    public void Batched_in_place_and_parallel_float64_solves_agree_with_single_solves()
    {
        var model = GfmmRandom.WellConditioned(8, 4, seed: 7).ToFloat64();
        var solver = new GfmmSolver(model);
        int n = model.N, count = 70; // past 64 columns: the panel kernels' wide blocks and their tail
        var random = new Random(9);
        var b = Enumerable.Range(0, n * count).Select(_ => random.NextDouble() - 0.5).ToArray();

        var one = new double[n * count];
        var ws = solver.CreateWorkspace();
        for (int v = 0; v < count; v++) solver.Solve(b.AsSpan(v * n, n), one.AsSpan(v * n, n), ws);

        var batched = new double[n * count];
        solver.Solve(b, batched, count, solver.CreateWorkspace(count));
        DenseMath.RelativeError(one, batched).ShouldBeLessThan(1e-14);

        var inPlace = (double[])b.Clone();
        solver.Solve(inPlace, inPlace, count, solver.CreateWorkspace(16));
        DenseMath.RelativeError(one, inPlace).ShouldBeLessThan(1e-14);

        var serialPanels = new double[n * count];
        solver.Solve(b, serialPanels, count, solver.CreateWorkspace(8));
        var parallel = new double[n * count];
        using (var parallelWorkspace = solver.CreateParallelWorkspace(threads: 2, batchCapacity: 8))
            solver.SolveParallel(b, parallel, count, parallelWorkspace);
        parallel.ShouldBe(serialPanels, "a parallel solve is the serial one with its panels, bit for bit");

        var transposed = new double[n * count];
        var transposedParallel = new double[n * count];
        solver.SolveTranspose(b, transposed, count, solver.CreateWorkspace(8));
        using (var parallelWorkspace = solver.CreateParallelWorkspace(threads: 2, batchCapacity: 8))
            solver.SolveTransposeParallel(b, transposedParallel, count, parallelWorkspace);
        transposedParallel.ShouldBe(transposed);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(40)] // past 32 doubles: the Vector512 panel kernel and its tail
    public void Batched_float64_products_equal_the_dense_products(int count)
    {
        var model = GfmmRandom.WellConditioned(8, 4, seed: 8).ToFloat64();
        int n = model.N;
        var x = DenseMath.RandomVector(n * count, new Random(4));
        var workspace = model.CreateWorkspace(count);
        foreach (var (name, dense, apply) in new (string, double[], Action<double[], double[]>)[]
        {
            ("L", model.L.ToDense(), (u, v) => model.L.Multiply(u, v, count, workspace)),
            ("Lᵀ", Transposed(model.L.ToDense(), n), (u, v) => model.L.MultiplyTranspose(u, v, count, workspace)),
            ("s L U", model.ToDense(), (u, v) => model.Apply(u, v, count, workspace)),
            ("(s L U)ᵀ", Transposed(model.ToDense(), n), (u, v) => model.ApplyTranspose(u, v, count, workspace)),
        })
        {
            var y = new double[n * count];
            apply(x, y);
            for (int v = 0; v < count; v++)
                DenseMath.RelativeError(Product(dense, x.AsSpan(v * n, n), n), y.AsSpan(v * n, n)).ShouldBeLessThan(1e-14, $"{name}, vector {v}");
        }
    }

    private static double[] Transposed(double[] a, int n)
    {
        var t = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) t[j * n + i] = a[i * n + j];
        return t;
    }

    [Fact]
    public void Float64_lower_and_upper_sweeps_compose_to_the_solve()
    {
        var model = GfmmRandom.WellConditioned(4, 8, seed: 2).ToFloat64();
        var solver = new GfmmSolver(model);
        int n = model.N;
        var b = DenseMath.RandomVector(n, new Random(1));
        var ws = solver.CreateWorkspace();
        var z = new double[n];
        var x = new double[n];
        solver.SolveLower(b, z, ws);
        solver.SolveUpper(z, x, ws);
        var direct = new double[n];
        solver.Solve(b, direct, ws);
        DenseMath.RelativeError(direct, x).ShouldBeLessThan(1e-15);
        // L z = b: the block's own product gives b back.
        var lz = new double[n];
        model.L.Multiply(z, lz, model.L.CreateWorkspace());
        DenseMath.RelativeError(b, lz).ShouldBeLessThan(1e-14);
    }

    [Fact]
    public void A_float64_solver_preconditions_in_double_directly()
    {
        var model = GfmmRandom.WellConditioned(4, 8, seed: 4).ToFloat64();
        var solver = new GfmmSolver(model);
        int n = model.N;
        var r = DenseMath.RandomVector(n, new Random(2));
        var z = new double[n];
        ((GenLu.Solvers.IPreconditioner)solver).Apply(r, z);
        var expected = new double[n];
        solver.Solve(r, expected, solver.CreateWorkspace());
        z.ShouldBe(expected);
        Should.Throw<ArgumentException>(() => solver.Apply(r, r)).ParamName.ShouldBe("z");
        Should.Throw<ArgumentException>(() => solver.Apply(new double[n - 1], z)).ParamName.ShouldBe("r");
    }

    [Fact]
    public void Float64_solves_allocate_nothing()
    {
        var model = GfmmRandom.WellConditioned(8, 4, seed: 1).ToFloat64();
        var solver = new GfmmSolver(model);
        int n = model.N;
        var b = DenseMath.RandomVector(n * 4, new Random(3));
        var x = new double[n * 4];
        var ws = solver.CreateWorkspace(4);
        AllocationProbe.LeastBytesPerRun(() =>
        {
            solver.Solve(b.AsSpan(0, n), x.AsSpan(0, n), ws);
            solver.Solve(b, x, 4, ws);
            solver.SolveTranspose(b, x, 4, ws);
            model.Apply(b, x, 4, ws);
        }).ShouldBe(0);
    }

    [Fact]
    public void Vectors_and_workspaces_of_the_other_dtype_are_refused_by_name()
    {
        var wide = GfmmRandom.WellConditioned(4, 4, seed: 1).ToFloat64();
        var single = GfmmRandom.WellConditioned(4, 4, seed: 1);
        var wideSolver = new GfmmSolver(wide);
        var singleSolver = new GfmmSolver(single);
        int n = wide.N;

        // float vectors with a float workspace, given to a float64 solver: the vectors are the wrong type.
        Should.Throw<ArgumentException>(() => wideSolver.Solve(new float[n], new float[n], singleSolver.CreateWorkspace()))
            .Message.ShouldContain("float64");
        // double vectors with a float32 workspace: the workspace is named.
        Should.Throw<ArgumentException>(() => wideSolver.Solve(new double[n], new double[n], singleSolver.CreateWorkspace()))
            .ParamName.ShouldBe("workspace");
        Should.Throw<ArgumentException>(() => singleSolver.Solve(new double[n], new double[n], wideSolver.CreateWorkspace()))
            .Message.ShouldContain("float32");
        Should.Throw<ArgumentException>(() => wide.Apply(new float[n], new float[n], single.CreateWorkspace())).ParamName.ShouldBe("x");
        Should.Throw<ArgumentException>(() => wide.L.Multiply(new float[n], new float[n], single.L.CreateWorkspace())).ParamName.ShouldBe("x");
        Should.Throw<ArgumentException>(() => new GfmmModel(wide.L, single.U, 1)).ParamName.ShouldBe("upper");
        Should.Throw<InvalidOperationException>(() => wide.L.Tensor(0)).Message.ShouldContain("float64");
        Should.Throw<InvalidOperationException>(() => single.L.Tensor<double>(0)).Message.ShouldContain("float32");
        Should.Throw<ArgumentException>(() => wideSolver.LowerDiagonalFactors.ToArray());
        wideSolver.LowerDiagonalFactorsOf<double>().Length.ShouldBe(4 * 4 * 4);
    }

    [Fact]
    public void A_float64_model_round_trips_through_its_file_bit_for_bit()
    {
        const int n = 40;
        var a = KernelMatrix(n, lengthScale: 0.2, nugget: 1e-3);
        var model = ExactFactorization.Build(a, n, 4, 16, scale: 2.5, dtype: GfmmDtype.Float64).Model;
        // The factors hold doubles that no float can (0.1-like values), so a float32 round trip would change them.
        model.L.ToArray<double>().Any(w => (double)(float)w != w).ShouldBeTrue();

        string directory = Directory.CreateTempSubdirectory("genlu-f64-").FullName;
        try
        {
            string path = Path.Combine(directory, "kernel.gfmm.json");
            model.Save(path);
            Directory.GetFiles(directory).ShouldBe(new[] { path }, "the save is atomic: no temporary file is left");
            System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!["dtype"]!.GetValue<string>().ShouldBe("float64");

            var loaded = GfmmModel.Load(path);
            loaded.Dtype.ShouldBe(GfmmDtype.Float64);
            loaded.N.ShouldBe(n);
            loaded.Scale.ShouldBe(2.5);
            loaded.L.ToArray<double>().ShouldBe(model.L.ToArray<double>());
            loaded.U.ToArray<double>().ShouldBe(model.U.ToArray<double>());
            loaded.ToUtf8Json().ShouldBe(model.ToUtf8Json());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void A_float32_reader_refuses_a_float64_file_and_a_float64_reader_widens_a_float32_file_exactly()
    {
        var wide = GfmmRandom.WellConditioned(4, 4, seed: 6).ToFloat64();
        string wideJson = System.Text.Encoding.UTF8.GetString(wide.ToUtf8Json());
        var refused = Should.Throw<GenLu.Format.GfmmFormatException>(() => GenLu.Format.GfmmFile.Parse(wideJson));
        refused.Error.ShouldBe(GenLu.Format.GfmmFormatError.Dtype);
        refused.Field.ShouldBe("dtype");
        refused.Message.ShouldContain("float64");

        var single = GfmmRandom.WellConditioned(4, 4, seed: 6);
        string singleJson = System.Text.Encoding.UTF8.GetString(single.ToUtf8Json());
        var widened = GenLu.Format.GfmmFile.Parse<double>(singleJson);
        widened.FileDtype.ShouldBe(GfmmDtype.Float32);
        widened.Lower.ToDenseArray().ShouldBe(single.L.ToArray().Select(w => (double)w).ToArray());
        // The model reader keeps each file's own dtype.
        GfmmModel.Parse(singleJson).Dtype.ShouldBe(GfmmDtype.Float32);
        GfmmModel.Parse(wideJson).Dtype.ShouldBe(GfmmDtype.Float64);
    }

    [Fact]
    public void A_float64_payload_of_float32_length_is_refused_before_it_is_read()
    {
        // Relabelling a float32 file as float64 leaves every payload half as long as its P x P doubles need.
        var single = GfmmRandom.WellConditioned(4, 4, seed: 6);
        var root = System.Text.Json.Nodes.JsonNode.Parse(single.ToUtf8Json())!;
        root["dtype"] = "float64";
        var e = Should.Throw<GenLu.Format.GfmmFormatException>(() => GfmmModel.Parse(root.ToJsonString()));
        e.Error.ShouldBe(GenLu.Format.GfmmFormatError.Base64);
        e.Message.ShouldContain("float64 tensor has 128");
    }

    [Fact]
    public void A_singular_float64_diagonal_block_is_reported_in_double()
    {
        var model = GfmmModel.Zero(2, 2, dtype: GfmmDtype.Float64);
        model.L.Tensor<double>(model.L.Layout.Diagonal(0))[0] = 1; // G_0 = [1 0; 0 0]
        var e = Should.Throw<SingularBlockException>(() => new GfmmSolver(model));
        e.Message.ShouldContain("cannot be factored in double");
    }
}
