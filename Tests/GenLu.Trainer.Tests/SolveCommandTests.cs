using System.Text.Json.Nodes;
using GenLu.IO;
using GenLu.Tests.Support;
using GenLu.Trainer.Cli;
using Xunit.Abstractions;

namespace GenLu.Tests;

/// <summary><c>genlu solve</c> run in-process: solutions against a textbook dense solve in double, the output's shape
/// and type, and every error case leaving no output file.</summary>
public sealed class SolveCommandTests(ITestOutputHelper log) : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("genlu-solve-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static Task<Outcome> Run(params string[] args) => Cli.Run(args);

    private string PathOf(string name) => Path.Combine(directory, name);

    /// <summary>
    /// The squared-exponential kernel <c>exp(-(x_i - x_j)² / (2 l²)) + nugget δ_ij</c> on x_i = i / (n - 1), scaled by
    /// <paramref name="amplitude"/> so that the file's entries are not already divided by their maximum.
    /// </summary>
    private static double[] Kernel(int n, double lengthScale, double nugget, double amplitude)
    {
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double d = (i - j) / (n - 1.0);
                a[i * n + j] = amplitude * (Math.Exp(-d * d / (2 * lengthScale * lengthScale)) + (i == j ? nugget : 0));
            }
        return a;
    }

    /// <summary>Gaussian elimination with partial pivoting in double, on copies (the textbook solve of A X = B, B n x k row-major).</summary>
    private static double[] TextbookSolve(double[] matrix, double[] rhs, int n, int k)
    {
        var a = (double[])matrix.Clone();
        var b = (double[])rhs.Clone();
        for (int col = 0; col < n; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < n; r++)
                if (Math.Abs(a[r * n + col]) > Math.Abs(a[pivot * n + col])) pivot = r;
            if (pivot != col)
            {
                for (int c = 0; c < n; c++) (a[col * n + c], a[pivot * n + c]) = (a[pivot * n + c], a[col * n + c]);
                for (int c = 0; c < k; c++) (b[col * k + c], b[pivot * k + c]) = (b[pivot * k + c], b[col * k + c]);
            }
            for (int r = col + 1; r < n; r++)
            {
                double factor = a[r * n + col] / a[col * n + col];
                for (int c = col; c < n; c++) a[r * n + c] -= factor * a[col * n + c];
                for (int c = 0; c < k; c++) b[r * k + c] -= factor * b[col * k + c];
            }
        }
        for (int row = n - 1; row >= 0; row--)
            for (int c = 0; c < k; c++)
            {
                double sum = b[row * k + c];
                for (int j = row + 1; j < n; j++) sum -= a[row * n + j] * b[j * k + c];
                b[row * k + c] = sum / a[row * n + row];
            }
        return b;
    }

    private static double[] Multiply(double[] a, double[] x, int n)
    {
        var y = new double[n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) y[i] += a[i * n + j] * x[j];
        return y;
    }

    private static double Norm(IEnumerable<double> v) => Math.Sqrt(v.Sum(e => e * e));

    private static double RelativeDifference(double[] x, double[] reference) => Norm(x.Zip(reference, (p, q) => p - q)) / Norm(reference);

    /// <summary>
    /// A lower bound of κ₂ of an SPD matrix: Rayleigh quotients of the power iterations on A and on A⁻¹ are at most
    /// λ_max and 1/λ_min, so their product is at most the condition number.
    /// </summary>
    private static double ConditionLowerBound(double[] a, int n)
    {
        double Rayleigh(Func<double[], double[]> apply)
        {
            var v = Enumerable.Range(0, n).Select(i => 1.0 + Math.Sin(i)).ToArray();
            double quotient = 0;
            for (int iteration = 0; iteration < 300; iteration++)
            {
                double norm = Norm(v);
                for (int i = 0; i < n; i++) v[i] /= norm;
                var w = apply(v);
                quotient = v.Zip(w, (p, q) => p * q).Sum();
                v = w;
            }
            return quotient;
        }
        return Rayleigh(v => Multiply(a, v, n)) * Rayleigh(v => TextbookSolve(a, v, n, 1));
    }

    private async Task<string> FactorKernel(int n, double nugget, string name, int m = 4, int p = 16)
    {
        double[] a = Kernel(n, 0.2, nugget, amplitude: 3.0);
        NpyFile.Write(PathOf(name + ".npy"), a, n, n);
        var factored = await Run("factor", "--matrix", PathOf(name + ".npy"), "--m", m.ToString(), "--p", p.ToString(), "--out", PathOf(name + ".gfmm.json"));
        factored.Error.ShouldBeEmpty();
        factored.ExitCode.ShouldBe(0);
        return PathOf(name + ".gfmm.json");
    }

    private static byte[] HandMadeNpy(string shape, bool fortranOrder, params double[] values) => HandMadeArrays.Float64Npy(shape, fortranOrder, values);

    private async Task<string> FactorLaplacian()
    {
        var factored = await Run("factor", "--operator", "laplacian1d", "--m", "2", "--p", "4", "--out", PathOf("lap.gfmm.json"));
        factored.ExitCode.ShouldBe(0);
        return PathOf("lap.gfmm.json");
    }

    /// <summary>
    /// The issue's case: κ₂ ≥ 1e8. A plain dense double solve is accurate only to about κ·u ≈ 1e-8 (two dense double
    /// solvers, the textbook one here and DenseLu, differ by 8e-9 on this matrix); refined with exact residuals it is the
    /// solution of A x = b to double precision, and GMRES (whose restarts use compensated residuals) reproduces that to 1e-10.
    /// </summary>
    [Fact]
    public async Task GmresWithTheMatrixIsAsAccurateAsTheDenseDoubleSolveOnAKernelWithConditionAbove1e8()
    {
        const int n = 64;
        const double nugget = 1e-7;
        string model = await FactorKernel(n, nugget, "kernel");
        double[] a = Kernel(n, 0.2, nugget, amplitude: 3.0);
        double condition = ConditionLowerBound(a, n);
        condition.ShouldBeGreaterThanOrEqualTo(1e8);

        var random = new Random(11);
        double[] truth = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        double[] b = Multiply(a, truth, n);
        File.WriteAllBytes(PathOf("b.npy"), HandMadeNpy($"({n},)", false, b));
        var solved = await Run("solve", model, "--rhs", PathOf("b.npy"), "--matrix", PathOf("kernel.npy"), "--out", PathOf("x.npy"),
            "--tolerance", "1e-15", "--max-iterations", "300", "--json");
        solved.Error.ShouldBeEmpty();
        solved.ExitCode.ShouldBe(0);

        var x = NpyFile.ReadArray(PathOf("x.npy"));
        x.Type.ShouldBe(NdArrayType.Float64);
        x.Shape.ToArray().ShouldBe([n]);
        double[] dense = TextbookSolve(a, b, n, 1);
        double gmresError = RelativeDifference(x.Values, truth), denseError = RelativeDifference(dense, truth);
        double difference = RelativeDifference(x.Values, dense);
        var figures = JsonNode.Parse(solved.Output)!;
        var column = figures["solutions"]![0]!;
        log.WriteLine($"κ₂ ≥ {condition:0.00e+00}; GMRES {column["iterations"]} iterations, relative residual {column["relative_residual"]}; " +
            $"error vs x: GMRES {gmresError:0.00e+00}, dense double {denseError:0.00e+00}; ‖x − x_dense‖ / ‖x_dense‖ = {difference:0.00e+00}");
        figures["method"]!.GetValue<string>().ShouldBe("gmres");
        figures["output_dtype"]!.GetValue<string>().ShouldBe("float64");
        column["relative_residual"]!.GetValue<double>().ShouldBeLessThan(1e-14);
        gmresError.ShouldBeLessThanOrEqualTo(2 * denseError);
        difference.ShouldBeLessThan(10 * condition * 1.1e-16);
        double refinedDifference = RelativeDifference(x.Values, GenLu.Tests.Support.ExactArithmetic.RefinedSolve(a, n, b));
        log.WriteLine($"‖x − x_refined‖ / ‖x_refined‖ = {refinedDifference:0.00e+00} (x_refined: dense double LU refined with exact residuals)");
        refinedDifference.ShouldBeLessThan(1e-10);
    }

    /// <summary>κ₂ ≈ 3e5, where double precision resolves 1e-10: three right-hand sides as a Fortran-order 2-D .npy,
    /// solved with the default options, equal the dense double solution to 1e-10.</summary>
    [Fact]
    public async Task GmresSolvesEveryColumnOfA2DRightHandSideToTheDenseDoubleSolution()
    {
        const int n = 64, k = 3;
        const double nugget = 1e-4;
        string model = await FactorKernel(n, nugget, "kernel");
        double[] a = Kernel(n, 0.2, nugget, amplitude: 3.0);
        var random = new Random(5);
        double[] truth = Enumerable.Range(0, n * k).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        var b = new double[n * k];
        for (int j = 0; j < k; j++)
        {
            var column = Multiply(a, Enumerable.Range(0, n).Select(i => truth[i * k + j]).ToArray(), n);
            for (int i = 0; i < n; i++) b[i * k + j] = column[i];
        }
        var columnMajor = new double[n * k];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < k; j++) columnMajor[j * n + i] = b[i * k + j];
        File.WriteAllBytes(PathOf("b.npy"), HandMadeNpy($"({n}, {k})", true, columnMajor));

        var solved = await Run("solve", model, "--rhs", PathOf("b.npy"), "--matrix", PathOf("kernel.npy"), "--out", PathOf("x.npy"));
        solved.Error.ShouldBeEmpty();
        solved.ExitCode.ShouldBe(0);
        solved.Output.ShouldContain("gmres");
        solved.Output.ShouldContain("not converged");
        solved.Output.ShouldContain("none");

        var x = NpyFile.ReadArray(PathOf("x.npy"));
        x.Shape.ToArray().ShouldBe([n, k]);
        x.Type.ShouldBe(NdArrayType.Float64);
        double difference = RelativeDifference(x.Values, TextbookSolve(a, b, n, k));
        log.WriteLine($"‖X − X_dense‖_F / ‖X_dense‖_F = {difference:0.00e+00}");
        difference.ShouldBeLessThan(1e-10);
    }

    [Fact]
    public async Task WithoutAnOperatorThePlainSolveWritesFloat32AndNamesTheRecordedOperator()
    {
        string model = await FactorLaplacian();
        double[] b = [1, -2, 0.5, 3, 0, -1, 2, 0.25];
        File.WriteAllBytes(PathOf("b.npy"), HandMadeNpy("(8,)", false, b));
        var solved = await Run("solve", model, "--rhs", PathOf("b.npy"), "--out", PathOf("x.npy"));
        solved.Error.ShouldBeEmpty();
        solved.ExitCode.ShouldBe(0);
        solved.Output.ShouldContain("plain structured solve");
        solved.Output.ShouldContain("--operator laplacian1d --n 8");

        var x = NpyFile.ReadArray(PathOf("x.npy"));
        x.Type.ShouldBe(NdArrayType.Float32);
        x.Shape.ToArray().ShouldBe([8]);
        // Exact factors in float: the plain solve is the dense solution to float rounding (κ of this Laplacian ≈ 32).
        RelativeDifference(x.Values, TextbookSolve(GenLu.Operators.TestOperators.Laplacian1d(8).Matrix, b, 8, 1)).ShouldBeLessThan(1e-5);
    }

    [Fact]
    public async Task RefinementAndThePlainSolveWithAnOperatorReportTheTrueResidualAsJson()
    {
        string model = await FactorLaplacian();
        double[] b = [1, -2, 0.5, 3, 0, -1, 2, 0.25];
        File.WriteAllBytes(PathOf("b.npy"), HandMadeNpy("(8,)", false, b));
        double[] reference = TextbookSolve(GenLu.Operators.TestOperators.Laplacian1d(8).Matrix, b, 8, 1);

        var refined = await Run("solve", model, "--rhs", PathOf("b.npy"), "--operator", "laplacian1d", "--n", "8", "--refine", "refinement", "--out", PathOf("x.npy"), "--json");
        refined.ExitCode.ShouldBe(0);
        var figures = JsonNode.Parse(refined.Output)!;
        figures["method"]!.GetValue<string>().ShouldBe("refinement");
        var column = figures["solutions"]![0]!;
        column["converged"]!.GetValue<bool>().ShouldBeTrue();
        column["iterations"]!.GetValue<int>().ShouldBeInRange(1, 10);
        column["relative_residual"]!.GetValue<double>().ShouldBeLessThanOrEqualTo(1e-12);
        RelativeDifference(NpyFile.ReadArray(PathOf("x.npy")).Values, reference).ShouldBeLessThan(1e-12);

        var plain = await Run("solve", model, "--rhs", PathOf("b.npy"), "--operator", "laplacian1d", "--n", "8", "--refine", "none", "--out", PathOf("plain.npy"), "--json");
        plain.ExitCode.ShouldBe(0);
        var plainFigures = JsonNode.Parse(plain.Output)!;
        plainFigures["output_dtype"]!.GetValue<string>().ShouldBe("float32");
        var plainColumn = plainFigures["solutions"]![0]!;
        plainColumn["iterations"].ShouldBeNull();
        // The residual reported is that of the written float32 solution, recomputed here with the dense matrix.
        double[] x = NpyFile.ReadArray(PathOf("plain.npy")).Values;
        double residual = Norm(Multiply(GenLu.Operators.TestOperators.Laplacian1d(8).Matrix, x, 8).Zip(b, (ax, bi) => bi - ax)) / Norm(b);
        plainColumn["relative_residual"]!.GetValue<double>().ShouldBe(residual, 1e-12);
        residual.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task MatrixMarketRightHandSidesAndASparseCoordinateMatrixWork()
    {
        string model = await FactorLaplacian();
        // Two right-hand sides as an array-format .mtx (column-major values) and A as a symmetric coordinate file.
        double[] b = [1, 0, 0, 0, 0, 0, 0, 1, 2, 2, 2, 2, 2, 2, 2, 2];
        File.WriteAllText(PathOf("b.mtx"), "%%MatrixMarket matrix array real general\n8 2\n" + string.Join("\n", b) + "\n");
        var entries = new List<string>();
        for (int i = 1; i <= 8; i++)
        {
            entries.Add($"{i} {i} 2");
            if (i < 8) entries.Add($"{i + 1} {i} -1");
        }
        File.WriteAllText(PathOf("a.mtx"), $"%%MatrixMarket matrix coordinate real symmetric\n8 8 {entries.Count}\n" + string.Join("\n", entries) + "\n");

        var solved = await Run("solve", model, "--rhs", PathOf("b.mtx"), "--matrix", PathOf("a.mtx"), "--out", PathOf("x.npy"), "--json");
        solved.Error.ShouldBeEmpty();
        solved.ExitCode.ShouldBe(0);
        var x = NpyFile.ReadArray(PathOf("x.npy"));
        x.Shape.ToArray().ShouldBe([8, 2]);
        var rowMajor = new double[16];
        for (int i = 0; i < 8; i++)
            for (int j = 0; j < 2; j++) rowMajor[i * 2 + j] = b[j * 8 + i];
        RelativeDifference(x.Values, TextbookSolve(GenLu.Operators.TestOperators.Laplacian1d(8).Matrix, rowMajor, 8, 2)).ShouldBeLessThan(1e-12);
        JsonNode.Parse(solved.Output)!["solutions"]!.AsArray().Count.ShouldBe(2);
    }

    public static TheoryData<string, string> ErrorCases => new()
    {
        { "wrong-length", "need 8 rows" },
        { "nan", "NaN" },
        { "garbage", "magic" },
        { "scalar", "scalar" },
        { "missing-rhs", "does not exist" },
        { "missing-model", "does not exist" },
        { "gmres-without-operator", "needs the operator" },
        { "unknown-refine", "--refine must be" },
        { "operator-wrong-size", "has order 16" },
        { "matrix-wrong-size", "the model has N = 8" },
        { "matrix-and-operator", "not both" },
        { "out-not-npy", "must be a .npy" },
        { "bad-tolerance", "--tolerance" },
        { "bad-iterations", "--max-iterations" },
    };

    [Theory]
    [MemberData(nameof(ErrorCases))]
    public async Task EveryBadInputIsOneLineWithExitCode1AndNoOutputFile(string @case, string expected)
    {
        string model = await FactorLaplacian();
        double[] good = [1, 2, 3, 4, 5, 6, 7, 8];
        File.WriteAllBytes(PathOf("good.npy"), HandMadeNpy("(8,)", false, good));
        File.WriteAllBytes(PathOf("rhs.npy"), @case switch
        {
            "wrong-length" => HandMadeNpy("(7,)", false, 1, 2, 3, 4, 5, 6, 7),
            "nan" => HandMadeNpy("(8,)", false, 1, 2, double.NaN, 4, 5, 6, 7, 8),
            "garbage" => "not a numpy file at all"u8.ToArray(),
            "scalar" => HandMadeNpy("()", false, 1),
            _ => HandMadeNpy("(8,)", false, good),
        });
        NpyFile.Write(PathOf("a16.npy"), GenLu.Operators.TestOperators.Laplacian1d(16).Matrix, 16, 16);
        string output = PathOf(@case == "out-not-npy" ? "x.txt" : "x.npy");
        string[] args = @case switch
        {
            "missing-rhs" => ["solve", model, "--rhs", PathOf("absent.npy"), "--out", output],
            "missing-model" => ["solve", PathOf("absent.gfmm.json"), "--rhs", PathOf("rhs.npy"), "--out", output],
            "gmres-without-operator" => ["solve", model, "--rhs", PathOf("rhs.npy"), "--refine", "gmres", "--out", output],
            "unknown-refine" => ["solve", model, "--rhs", PathOf("rhs.npy"), "--refine", "cg", "--operator", "laplacian1d", "--out", output],
            "operator-wrong-size" => ["solve", model, "--rhs", PathOf("rhs.npy"), "--operator", "laplacian1d", "--n", "16", "--out", output],
            "matrix-wrong-size" => ["solve", model, "--rhs", PathOf("rhs.npy"), "--matrix", PathOf("a16.npy"), "--out", output],
            "matrix-and-operator" => ["solve", model, "--rhs", PathOf("rhs.npy"), "--matrix", PathOf("a16.npy"), "--operator", "laplacian1d", "--out", output],
            "bad-tolerance" => ["solve", model, "--rhs", PathOf("rhs.npy"), "--tolerance", "-1", "--out", output],
            "bad-iterations" => ["solve", model, "--rhs", PathOf("rhs.npy"), "--max-iterations", "0", "--out", output],
            _ => ["solve", model, "--rhs", PathOf("rhs.npy"), "--out", output],
        };
        string[] before = Directory.GetFiles(directory);

        var outcome = await Run(args);
        outcome.ExitCode.ShouldBe(1);
        outcome.Output.ShouldBeEmpty();
        outcome.Error.ShouldStartWith("genlu solve: ");
        outcome.Error.TrimEnd().ShouldNotContain('\n');
        outcome.Error.ShouldContain(expected);
        File.Exists(output).ShouldBeFalse();
        Directory.GetFiles(directory).ShouldBe(before, ignoreOrder: true);
    }
}
