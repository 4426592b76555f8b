using GenLu.Tests.Support;
using GenLu.IO;
using GenLu.Gfmm;
using GenLu.Operators;
using GenLu.Trainer.Cli;

namespace GenLu.Tests;

public sealed class CommandLineTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("genlu-cli-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static Task<Outcome> Run(params string[] args) => Cli.Run(args);

    private string PathOf(string name) => Path.Combine(directory, name);

    private string[] Tiny(params string[] extra) => TinyPolished(0, extra);

    private string[] TinyPolished(int polish, params string[] extra) =>
        ["train", "--m", "2", "--p", "4", "--steps", "40", "--polish", polish.ToString(), "--out", PathOf("model.gfmm.json"), .. extra];

    [Fact]
    public async Task TrainWritesAModelWithProvenanceAndPlots()
    {
        var outcome = await Run(TinyPolished(25, "--plots", PathOf("plots"), "--seed", "3", "--block-wise", "--transpose-loss"));
        outcome.Error.ShouldBeEmpty();
        outcome.ExitCode.ShouldBe(0);
        outcome.Output.ShouldContain("laplacian1d");

        var model = GfmmModel.Load(PathOf("model.gfmm.json"));
        (model.M, model.P, model.Scale).ShouldBe((2, 4, 1.0));
        model.Provenance.Operator!.Name.ShouldBe("laplacian1d");
        model.Provenance.Operator!.N.ShouldBe(8);
        var training = model.Provenance.Construction!;
        training.Method.ShouldBe("gradient");
        training.Steps.ShouldBe(80); // two blocks of 40 steps
        training.Seed.ShouldBe(3);
        training.BlockWise.ShouldBe(true);
        training.TransposeLoss.ShouldBe(true);
        training.Polish!.Iterations!.Value.ShouldBeInRange(1, 25);

        // error_2 against an independent dense product of the saved factors and a power iteration.
        double[,] product = DenseProduct(model);
        var residual = new double[8, 8];
        for (int r = 0; r < 8; r++)
            for (int c = 0; c < 8; c++)
                residual[r, c] = product[r, c] - (r == c ? 2 : Math.Abs(r - c) == 1 ? -1 : 0);
        model.Provenance.Metrics!.Error2!.Value.ShouldBe(SpectralNorm(residual), 1e-6);

        foreach (string plot in new[] { "loss.png", "error.png" })
        {
            byte[] png = File.ReadAllBytes(Path.Combine(PathOf("plots"), plot));
            png[..4].ShouldBe(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' });
        }
    }

    [Fact]
    public async Task ResumingAFinishedCheckpointWritesTheSameModel()
    {
        string checkpoint = PathOf("run.ckpt.json");
        (await Run(Tiny("--checkpoint", checkpoint))).ExitCode.ShouldBe(0);
        byte[] first = File.ReadAllBytes(PathOf("model.gfmm.json"));
        File.Delete(PathOf("model.gfmm.json"));

        var resumed = await Run(Tiny("--checkpoint", checkpoint, "--resume"));
        resumed.ExitCode.ShouldBe(0);
        resumed.Output.ShouldContain("Resuming at step 80"); // two blocks of 40 steps
        var again = GfmmModel.Load(PathOf("model.gfmm.json"));
        var original = GfmmModel.Parse(System.Text.Encoding.UTF8.GetString(first));
        again.L.ToArray().ShouldBe(original.L.ToArray());
        again.U.ToArray().ShouldBe(original.U.ToArray());
    }

    [Fact]
    public async Task InspectAndOperatorsDescribeWhatTheyShow()
    {
        (await Run(Tiny())).ExitCode.ShouldBe(0);
        var inspect = await Run("inspect", PathOf("model.gfmm.json"));
        inspect.ExitCode.ShouldBe(0);
        inspect.Output.ShouldContain("2 x 4 = 8");
        inspect.Output.ShouldContain("error_2");
        inspect.Output.ShouldContain("laplacian1d");

        var help = await Run();
        help.ExitCode.ShouldBe(0);
        foreach (string command in new[] { "train", "eval", "inspect", "operators" })
            help.Output.ShouldContain(command);

        var operators = await Run("operators");
        operators.ExitCode.ShouldBe(0);
        foreach (var op in GenLu.Operators.TestOperators.All)
            operators.Output.ShouldContain(op.Name);
    }

    [Fact]
    public async Task EvalReportsTheSpecFiguresAsTableAndJson()
    {
        (await Run(Tiny())).ExitCode.ShouldBe(0);
        var table = await Run("eval", PathOf("model.gfmm.json"), "--samples", "20", "--plots", PathOf("eval"));
        table.Error.ShouldBeEmpty();
        table.ExitCode.ShouldBe(0);
        table.Output.ShouldContain("E_A");
        table.Output.ShouldContain("mean backward error");
        File.Exists(Path.Combine(PathOf("eval"), "error.png")).ShouldBeTrue();

        var json = await Run("eval", PathOf("model.gfmm.json"), "--samples", "20", "--json");
        json.ExitCode.ShouldBe(0);
        var figures = System.Text.Json.Nodes.JsonNode.Parse(json.Output)!;
        var model = GfmmModel.Load(PathOf("model.gfmm.json"));
        // The same spectral error the training recorded, from an independent computation path.
        figures["error_2"]!.GetValue<double>().ShouldBe(model.Provenance.Metrics!.Error2!.Value, 1e-9);
        figures["samples"]!.GetValue<int>().ShouldBe(20);
        // GMRES preconditioned by the learned solve converges on an 8 x 8 Laplacian.
        figures["refined"]!["max_backward_error"]!.GetValue<double>().ShouldBeLessThan(1e-10);
    }

    [Fact]
    public async Task EvalOfAModelWithANullOperatorParameterIsAClearErrorNotACrash()
    {
        (await Run(Tiny())).ExitCode.ShouldBe(0);
        var root = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(PathOf("model.gfmm.json")))!;
        root["operator"] = System.Text.Json.Nodes.JsonNode.Parse("""{"name": "laplacian1d", "N": 8, "parameters": {"eps": null}}""");
        File.WriteAllText(PathOf("null-parameter.gfmm.json"), root.ToJsonString());

        var eval = await Run("eval", PathOf("null-parameter.gfmm.json"), "--samples", "5");
        eval.ExitCode.ShouldBe(1);
        eval.Error.ShouldContain("operator.parameters.eps: expected a number, found null");
        eval.Error.ShouldNotContain(" at ");
    }

    [Fact]
    public async Task EvalRejectsAMissingModelAndAnOperatorOfTheWrongSize()
    {
        var missing = await Run("eval", PathOf("none.gfmm.json"));
        missing.ExitCode.ShouldBe(1);
        missing.Error.ShouldContain("does not exist");

        (await Run(Tiny())).ExitCode.ShouldBe(0);
        var wrongSize = await Run("eval", PathOf("model.gfmm.json"), "--operator", "laplacian1d", "--n", "12");
        wrongSize.ExitCode.ShouldBe(1);
        wrongSize.Error.ShouldContain("the matrix is 12 x 12, but the model's order is N = 8");
    }

    [Fact]
    public async Task TrainsOnAMatrixFile()
    {
        // A diagonally dominant nonsymmetric 8 x 8 matrix; the file's largest entry (4) becomes the scale.
        var values = new double[64];
        for (int i = 0; i < 8; i++)
        {
            values[i * 8 + i] = 4;
            if (i > 0) values[i * 8 + i - 1] = -1;
            if (i + 2 < 8) values[i * 8 + i + 2] = 0.5;
        }
        NpyFile.Write(PathOf("a.npy"), new DenseMatrix(8, 8, values));
        var outcome = await Run(Tiny("--matrix", PathOf("a.npy")));
        outcome.ExitCode.ShouldBe(0);
        var model = GfmmModel.Load(PathOf("model.gfmm.json"));
        model.Scale.ShouldBe(4);
        model.Provenance.Operator!.Name.ShouldBe("a");
    }

    [Theory]
    [InlineData("unknown operator 'nosuch'", "--operator", "nosuch")]
    [InlineData("does not exist", "--matrix", "missing.mtx")]
    [InlineData("M * P = 8", "--n", "10")]
    [InlineData("LateAfterSteps must be >= 0", "--late-after", "-1")]
    [InlineData("--threads must be >= 1", "--threads", "0")]
    [InlineData("LearningRate must be finite and > 0", "--lr", "-1")]
    [InlineData("give either --operator or --matrix", "--operator", "laplacian1d", "--matrix", "a.mtx")]
    [InlineData("is 2D: give its grid side with --grid", "--operator", "laplacian2d", "--n", "8")]
    [InlineData("--resume needs --checkpoint", "--resume")]
    public async Task BadTrainOptionsFailWithOneLineAndWriteNothing(string message, params string[] extra)
    {
        var outcome = await Run(Tiny(extra.Select(a => a.EndsWith(".mtx") ? PathOf(a) : a).ToArray()));
        outcome.ExitCode.ShouldBe(1);
        outcome.Error.ShouldContain(message);
        outcome.Error.TrimEnd().Split('\n').Length.ShouldBe(1);
        Directory.GetFileSystemEntries(directory).ShouldBeEmpty();
    }

    [Fact]
    public async Task BadMatrixFilesFailWithOneLine()
    {
        File.WriteAllText(PathOf("garbage.mtx"), "this is not a matrix\n");
        var garbage = await Run(Tiny("--matrix", PathOf("garbage.mtx")));
        garbage.ExitCode.ShouldBe(1);
        garbage.Error.ShouldStartWith("genlu train: ");

        NpyFile.Write(PathOf("wide.npy"), new DenseMatrix(2, 3, [1, 2, 3, 4, 5, 6]));
        var wide = await Run(Tiny("--matrix", PathOf("wide.npy")));
        wide.ExitCode.ShouldBe(1);
        wide.Error.ShouldContain("is 2 x 3; a square matrix is needed");

        // Any N <= M * P is padded; a larger one is refused.
        NpyFile.Write(PathOf("twelve.npy"), new DenseMatrix(12, 12, Enumerable.Range(0, 144).Select(i => (double)(i % 7 + 1)).ToArray()));
        var wrongSize = await Run(Tiny("--matrix", PathOf("twelve.npy")));
        wrongSize.ExitCode.ShouldBe(1);
        wrongSize.Error.ShouldContain("M * P = 8 (M = 2, P = 4) is smaller than the matrix order N = 12");
        File.Exists(PathOf("model.gfmm.json")).ShouldBeFalse();
    }

    [Fact]
    public async Task UnparsableNumbersAndMissingModelsFailWithOneLine()
    {
        var notPowerOfTwo = await Run("train", "--m", "3", "--p", "4", "--out", PathOf("model.gfmm.json"));
        notPowerOfTwo.ExitCode.ShouldBe(1);
        notPowerOfTwo.Error.ShouldContain("M must be a power of two");
        File.Exists(PathOf("model.gfmm.json")).ShouldBeFalse();

        var parse = await Run("train", "--steps", "many");
        parse.ExitCode.ShouldBe(1);
        parse.Error.ShouldContain("many");
        parse.Error.TrimEnd().Split('\n').Length.ShouldBe(1);

        var inspect = await Run("inspect", PathOf("none.gfmm.json"));
        inspect.ExitCode.ShouldBe(1);
        inspect.Error.ShouldContain("does not exist");

        File.WriteAllText(PathOf("bad.gfmm.json"), "{\"format\": \"other\"}");
        var bad = await Run("inspect", PathOf("bad.gfmm.json"));
        bad.ExitCode.ShouldBe(1);
        bad.Error.ShouldStartWith("genlu inspect: Invalid GFMM weight file");
    }

    [Theory]
    [InlineData("laplacian1d", "--n")]
    [InlineData("convdiff2d", "--grid")]
    public async Task FactorBuildsTheExactFactorsOfABandedOperator(string name, string sizeOption)
    {
        // 2D: a 4 x 4 grid is N = 16 = M * P with M = 4, P = 4.
        string size = sizeOption == "--n" ? "16" : "4";
        var outcome = await Run("factor", "--operator", name, sizeOption, size, "--m", "4", "--p", "4", "--out", PathOf("exact.gfmm.json"));
        outcome.Error.ShouldBeEmpty();
        outcome.ExitCode.ShouldBe(0);

        var model = GfmmModel.Load(PathOf("exact.gfmm.json"));
        model.Provenance.Construction!.Method.ShouldBe("exact");
        model.Provenance.Operator!.Name.ShouldBe(name);
        // s·L·U reproduces the operator's own matrix (independent dense product) to float32 rounding.
        var op = GenLu.Operators.TestOperators.Create(name, int.Parse(size));
        double[,] product = DenseProduct(model);
        for (int r = 0; r < 16; r++)
            for (int c = 0; c < 16; c++)
                (product[r, c] * model.Scale).ShouldBe(op.Matrix[r * 16 + c] * op.Scale, 1e-5 * op.Scale);
        model.Provenance.Metrics!.Error2!.Value.ShouldBeLessThan(1e-5);
    }

    [Fact]
    public async Task FactorReportsASingularSchurBlockInOneLine()
    {
        // Zero leading 4 x 4 block: block LU without pivoting between blocks cannot start.
        var values = new double[64];
        for (int i = 0; i < 4; i++) { values[i * 8 + 4 + i] = 1; values[(4 + i) * 8 + i] = 1; }
        NpyFile.Write(PathOf("swap.npy"), new DenseMatrix(8, 8, values));
        var outcome = await Run("factor", "--matrix", PathOf("swap.npy"), "--m", "2", "--p", "4", "--out", PathOf("swap.gfmm.json"));
        outcome.ExitCode.ShouldBe(1);
        outcome.Error.ShouldStartWith("genlu factor: ");
        outcome.Error.ShouldContain("block 0");
        outcome.Error.TrimEnd().Split('\n').Length.ShouldBe(1);
        File.Exists(PathOf("swap.gfmm.json")).ShouldBeFalse();
    }

    [Fact]
    public async Task TrainFromTheExactStartNeverEndsWorseThanIt()
    {
        var outcome = await Run(Tiny("--init", "exact"));
        outcome.ExitCode.ShouldBe(0);
        var model = GfmmModel.Load(PathOf("model.gfmm.json"));
        model.Provenance.Construction!.Init.ShouldBe("exact");
        // The 1D Laplacian's exact factors fit to float32 rounding; Adam's first steps can only move away.
        model.Provenance.Metrics!.Error2!.Value.ShouldBeLessThan(1e-5);
    }

    private static double[,] DenseProduct(GfmmModel model)
    {
        int n = model.N;
        var result = new double[n, n];
        for (int c = 0; c < n; c++)
        {
            var e = new double[n];
            e[c] = 1;
            var column = NaiveGfmm.Multiply(model.L, NaiveGfmm.Multiply(model.U, e));
            for (int r = 0; r < n; r++) result[r, c] = column[r];
        }
        return result;
    }

    /// <summary>‖R‖₂ by power iteration on RᵀR (plenty of iterations for an 8 x 8 matrix).</summary>
    private static double SpectralNorm(double[,] r)
    {
        int n = r.GetLength(0);
        var v = Enumerable.Range(0, n).Select(i => 1.0 + 0.1 * i).ToArray();
        double sigma = 0;
        for (int iteration = 0; iteration < 5000; iteration++)
        {
            var w = new double[n];
            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) w[i] += r[i, j] * v[j];
            var z = new double[n];
            for (int j = 0; j < n; j++) for (int i = 0; i < n; i++) z[j] += r[i, j] * w[i];
            double norm = Math.Sqrt(z.Sum(x => x * x));
            sigma = Math.Sqrt(norm);
            v = z.Select(x => x / norm).ToArray();
        }
        return sigma;
    }
}
