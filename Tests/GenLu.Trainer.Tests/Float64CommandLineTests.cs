using System.Text.Json.Nodes;
using GenLu.Gfmm;
using GenLu.IO;
using GenLu.Structure;

namespace GenLu.Tests;

/// <summary>
/// <c>genlu factor --dtype float64</c> and the commands that read its model (<c>inspect</c>, <c>solve</c>, <c>eval</c>,
/// <c>export</c>), run in process on a Gaussian-process kernel whose condition number is above 1e8: the float64 model's
/// plain solve keeps six digits of a known solution where the float32 model of the same factors keeps none.
/// </summary>
public sealed class Float64CommandLineTests : IDisposable
{
    private const int N = 64;
    private readonly string directory = Directory.CreateTempSubdirectory("genlu-f64-cli-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string PathOf(string name) => Path.Combine(directory, name);

    /// <summary>exp(−(t − t')² / (2 · 0.05²)) + 1e-7 δ on 64 points of [0, 1], times 3 (so the file is not pre-scaled): κ₁ ≈ 1.4e8.</summary>
    private static double[] Kernel()
    {
        var a = new double[N * N];
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++)
            {
                double d = (i - j) / (N - 1.0);
                a[i * N + j] = 3 * (Math.Exp(-d * d / (2 * 0.05 * 0.05)) + (i == j ? 1e-7 : 0));
            }
        return a;
    }

    private static double[] Truth() => Enumerable.Range(0, N).Select(i => Math.Cos(0.21 * i) + 0.3).ToArray();

    private static double RelativeError(IReadOnlyList<double> x, IReadOnlyList<double> truth) =>
        Math.Sqrt(x.Zip(truth, (p, q) => (p - q) * (p - q)).Sum()) / Math.Sqrt(truth.Sum(v => v * v));

    /// <summary>Factors the kernel (M = 2, P = 32: the block LU held exactly) with the given dtype and writes b = A x for the known x.</summary>
    private async Task<string> Factor(string dtype)
    {
        var a = Kernel();
        NpyFile.Write(PathOf("kernel.npy"), a, N, N);
        var truth = Truth();
        var b = new double[N];
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) b[i] += a[i * N + j] * truth[j];
        NpyFile.Write(PathOf("b.npy"), b, N, 1);
        string model = PathOf($"kernel-{dtype}.gfmm.json");
        var factored = await Cli.Run("factor", "--matrix", PathOf("kernel.npy"), "--m", "2", "--p", "32", "--dtype", dtype, "--out", model);
        factored.Error.ShouldBeEmpty();
        factored.ExitCode.ShouldBe(0);
        factored.Output.ShouldContain(dtype);
        return model;
    }

    [Fact]
    public async Task A_float64_factor_is_written_as_float64_and_its_plain_solve_keeps_six_digits()
    {
        string wide = await Factor("float64");
        JsonNode.Parse(File.ReadAllText(wide))!["dtype"]!.GetValue<string>().ShouldBe("float64");
        GfmmModel.Load(wide).Dtype.ShouldBe(GfmmDtype.Float64);

        var inspected = await Cli.Run("inspect", wide, "--json");
        inspected.ExitCode.ShouldBe(0);
        JsonNode.Parse(inspected.Output)!["dtype"]!.GetValue<string>().ShouldBe("float64");

        var solved = await Cli.Run("solve", wide, "--rhs", PathOf("b.npy"), "--out", PathOf("x64.npy"), "--json");
        solved.Error.ShouldBeEmpty();
        solved.ExitCode.ShouldBe(0);
        JsonNode.Parse(solved.Output)!["output_dtype"]!.GetValue<string>().ShouldBe("float64");
        var x = NpyFile.ReadArray(PathOf("x64.npy"));
        x.Type.ShouldBe(NdArrayType.Float64);
        RelativeError(x.Values, Truth()).ShouldBeLessThanOrEqualTo(1e-6);

        string single = await Factor("float32");
        (await Cli.Run("solve", single, "--rhs", PathOf("b.npy"), "--out", PathOf("x32.npy"))).ExitCode.ShouldBe(0);
        var x32 = NpyFile.ReadArray(PathOf("x32.npy"));
        x32.Type.ShouldBe(NdArrayType.Float32);
        RelativeError(x32.Values, Truth()).ShouldBeGreaterThan(1e-2, "float32 factors of a matrix with κ ≈ 1e8 leave no correct digit");
    }

    [Fact]
    public async Task Eval_and_export_accept_a_float64_model()
    {
        string wide = await Factor("float64");
        var evaluated = await Cli.Run("eval", wide, "--matrix", PathOf("kernel.npy"), "--samples", "8", "--json");
        evaluated.Error.ShouldBeEmpty();
        evaluated.ExitCode.ShouldBe(0);
        var figures = JsonNode.Parse(evaluated.Output)!;
        // The plain solve runs in double: its backward error is at double rounding, far below float32's 6e-8.
        figures["plain"]!["max_backward_error"]!.GetValue<double>().ShouldBeLessThan(1e-12);

        var exported = await Cli.Run("export", wide, "--to", PathOf("kernel.npz"));
        exported.ExitCode.ShouldBe(0);
        var arrays = NpzArchive.Read(PathOf("kernel.npz"));
        var model = GfmmModel.Load(wide);
        var diagonal = arrays["L." + model.L.Layout.TensorName(model.L.Layout.Diagonal(1))];
        diagonal.Type.ShouldBe(NdArrayType.Float64);
        diagonal.Values.ShouldBe(model.L.Tensor<double>(model.L.Layout.Diagonal(1)).ToArray());
        arrays["L.root_bridge.W.weight"].Type.ShouldBe(NdArrayType.Float64);
    }

    [Fact]
    public async Task An_unknown_dtype_is_one_line_naming_the_choices_and_writes_nothing()
    {
        NpyFile.Write(PathOf("kernel.npy"), Kernel(), N, N);
        var bad = await Cli.Run("factor", "--matrix", PathOf("kernel.npy"), "--m", "2", "--p", "32", "--dtype", "float16", "--out", PathOf("bad.gfmm.json"));
        bad.ExitCode.ShouldBe(1);
        bad.Error.TrimEnd().ShouldBe("genlu: --dtype must be one of float32, float64, not 'float16'.");
        File.Exists(PathOf("bad.gfmm.json")).ShouldBeFalse();
    }
}
