using System.Diagnostics;
using System.Text.Json.Nodes;
using GenLu.Gfmm;
using GenLu.IO;
using GenLu.Trainer.Cli;
using GenLu.Trainer.Plots;
using GenLu.Trainer.Training;
using ScottPlot;
using SkiaSharp;

namespace GenLu.Tests;

/// <summary>What a new user trips over (issue 12) and the inputs that must not give silent garbage (issue 16):
/// singular operators, provenance that lies about N, non-finite figures, the heatmap's orientation, messages.</summary>
public sealed class NewcomerCliTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("genlu-newcomer-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static Task<Outcome> Run(params string[] args) => Cli.Run(args);

    private string PathOf(string name) => Path.Combine(directory, name);

    private string[] Tiny(string output, params string[] extra) =>
        ["train", "--m", "2", "--p", "4", "--steps", "40", "--polish", "0", "--out", PathOf(output), .. extra];

    private static void ShouldBeOneLine(string error, string command)
    {
        error.ShouldStartWith($"genlu {command}: ");
        error.TrimEnd().Split('\n').Length.ShouldBe(1);
        error.ShouldNotContain(" at GenLu");
    }

    /// <summary>tridiag(-1, 4, -1) of order 8 with an edit: non-singular before the edit.</summary>
    private string Matrix(string name, Action<double[]> edit)
    {
        var values = new double[64];
        for (int i = 0; i < 8; i++)
        {
            values[i * 8 + i] = 4;
            if (i > 0) values[i * 8 + i - 1] = -1;
            if (i < 7) values[i * 8 + i + 1] = -1;
        }
        edit(values);
        NpyFile.Write(PathOf(name), new DenseMatrix(8, 8, values));
        return PathOf(name);
    }

    [Theory]
    [InlineData("zero-row.npy", "row 3 is zero")]
    [InlineData("zero-column.npy", "column 5 is zero")]
    [InlineData("equal-rows.npy", "singular (rank-deficient)")]
    [InlineData("equal-columns.npy", "singular to double precision")]
    public async Task Training_on_a_singular_operator_fails_clearly_and_writes_nothing(string name, string message)
    {
        string file = Matrix(name, a =>
        {
            switch (name)
            {
                case "zero-row.npy": for (int c = 0; c < 8; c++) a[3 * 8 + c] = 0; break;
                case "zero-column.npy": for (int r = 0; r < 8; r++) a[r * 8 + 5] = 0; break;
                case "equal-rows.npy": for (int c = 0; c < 8; c++) a[5 * 8 + c] = a[2 * 8 + c]; break;
                default: for (int r = 0; r < 8; r++) a[r * 8 + 5] = a[r * 8 + 2]; break;
            }
        });
        var outcome = await Run(Tiny("model.gfmm.json", "--matrix", file));
        outcome.ExitCode.ShouldBe(1);
        ShouldBeOneLine(outcome.Error, "train");
        outcome.Error.ShouldContain(message);
        outcome.Error.ShouldContain("nothing was trained");
        File.Exists(PathOf("model.gfmm.json")).ShouldBeFalse();
    }

    [Fact]
    public void The_zero_row_and_column_check_and_the_condition_estimate_agree_with_hand_computed_cases()
    {
        // diag(1, 2, 0) has a zero row 2 (and column 2); [[1, 0], [1, 0]] has a zero column only.
        TrainCommand.ZeroRowOrColumn([1, 0, 0, 0, 2, 0, 0, 0, 0], 3).ShouldBe("row 2");
        TrainCommand.ZeroRowOrColumn([1, 0, 1, 0], 2).ShouldBe("column 1");
        TrainCommand.ZeroRowOrColumn([1, 2, 3, 4], 2).ShouldBeNull();
        // diag(1, 1e-12): κ_F = ‖A‖_F ‖A⁻¹‖₂ ≈ 1e12; the estimate is a lower bound within a modest factor.
        var (zeroPivot, estimate) = TrainCommand.Conditioning([1, 0, 0, 1e-12], 2);
        zeroPivot.ShouldBe(0);
        estimate.ShouldBeInRange(1e10, 1.0000001e12);
        TrainCommand.Conditioning([1, 2, 2, 4], 2).ZeroPivot.ShouldBe(2);
    }

    [Fact]
    public async Task Eval_compares_the_provenance_N_before_building_the_operator()
    {
        (await Run(Tiny("model.gfmm.json"))).ExitCode.ShouldBe(0);
        var root = JsonNode.Parse(File.ReadAllText(PathOf("model.gfmm.json")))!;
        root["operator"]!["N"] = 40000; // a dense 40000² operator would be 12.8 GB
        File.WriteAllText(PathOf("liar.gfmm.json"), root.ToJsonString());

        long before = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        var eval = await Run("eval", PathOf("liar.gfmm.json"), "--samples", "5");
        clock.Elapsed.TotalSeconds.ShouldBeLessThan(30);
        (GC.GetTotalAllocatedBytes(precise: true) - before).ShouldBeLessThan(256L << 20);
        eval.ExitCode.ShouldBe(1);
        ShouldBeOneLine(eval.Error, "eval");
        eval.Error.ShouldContain("N = 40000, but the model has N = 8");
    }

    [Fact]
    public async Task Eval_json_writes_non_finite_figures_as_null()
    {
        (await Run(Tiny("model.gfmm.json"))).ExitCode.ShouldBe(0);
        var model = GfmmModel.Load(PathOf("model.gfmm.json"));
        var (lower, upper) = (model.L.Clone(), model.U.Clone());
        // Every weight within the format's limits, but the solve multiplies by 1e15 three times (the bridge, then the
        // reciprocal pivots of L's and U's G_1 = 1e-15 I): 1e45 overflows float.
        lower.Tensor(lower.Layout.LowerBridge(0, 0)).Fill(1e15f);
        foreach (var block in new[] { lower, upper })
        {
            var g = block.Tensor(block.Layout.Diagonal(1));
            g.Clear();
            for (int i = 0; i < block.P; i++) g[i * block.P + i] = 1e-15f;
        }
        new GfmmModel(lower, upper, model.Scale, model.Provenance).Save(PathOf("overflow.gfmm.json"));

        var eval = await Run("eval", PathOf("overflow.gfmm.json"), "--samples", "5", "--json");
        eval.Error.ShouldBeEmpty();
        eval.ExitCode.ShouldBe(0);
        var figures = JsonNode.Parse(eval.Output)!;
        figures.AsObject().ContainsKey("error_2").ShouldBeTrue();
        figures["plain"]!.AsObject().ContainsKey("error_x").ShouldBeTrue();
        figures["plain"]!["error_x"].ShouldBeNull(eval.Output);

        EvalCommand.Number(double.PositiveInfinity).ShouldBeNull();
        EvalCommand.Number(double.NaN).ShouldBeNull();
        EvalCommand.Number(1.5)!.GetValue<double>().ShouldBe(1.5);
    }

    [Fact]
    public async Task Inspect_json_reports_the_shape_and_provenance()
    {
        (await Run(Tiny("model.gfmm.json"))).ExitCode.ShouldBe(0);
        var inspect = await Run("inspect", PathOf("model.gfmm.json"), "--json");
        inspect.ExitCode.ShouldBe(0);
        var json = JsonNode.Parse(inspect.Output)!;
        (json["M"]!.GetValue<int>(), json["P"]!.GetValue<int>(), json["N"]!.GetValue<int>()).ShouldBe((2, 4, 8));
        json["operator"]!["name"]!.GetValue<string>().ShouldBe("laplacian1d");
        // L of M = 2: 2 encoders, 2 decoders, 2 diagonal blocks, 1 lower bridge.
        json["tensors"]!["L"]!.GetValue<int>().ShouldBe(7);
    }

    [Fact]
    public void Argument_exception_text_is_cleaned_of_parameter_names_and_actual_values()
    {
        GenluCommandLine.UserMessage(new ArgumentOutOfRangeException("m", 6, "M must be a power of two >= 2."))
            .ShouldBe("M must be a power of two >= 2.");
        GenluCommandLine.UserMessage(new ArgumentException("The order is wrong.", "b")).ShouldBe("The order is wrong.");
        GenluCommandLine.UserMessage(new FormatException("line 1\nline 2")).ShouldBe("line 1 line 2");
        // A reader that quotes an argument exception inside its own message.
        GenluCommandLine.UserMessage(new FormatException("Invalid GFMM weight file: P: at most 268435456 are supported. (Parameter 'p')\nActual value was 32."))
            .ShouldBe("Invalid GFMM weight file: P: at most 268435456 are supported.");
    }

    [Theory]
    [InlineData("train", "--m", "6")]
    [InlineData("factor", "--m", "6")]
    public async Task A_bad_M_is_one_clean_line(params string[] args)
    {
        var outcome = await Run([.. args, "--out", PathOf("model.gfmm.json")]);
        outcome.ExitCode.ShouldBe(1);
        ShouldBeOneLine(outcome.Error, args[0]);
        outcome.Error.ShouldContain("must be a power of two >= 2, not 6.");
        outcome.Error.ShouldNotContain("(Parameter");
        outcome.Error.ShouldNotContain("Actual value");
    }

    [Fact]
    public async Task Choices_are_lowercase_in_help_and_errors_and_defaults_are_shown()
    {
        var help = await Run("train", "--help");
        help.Output.ShouldContain("--schedule <step|cosine>");
        help.Output.ShouldContain("[default: cosine]");
        help.Output.ShouldContain("--init <random|exact>");
        help.Output.ShouldContain("[default: random]");

        var bad = await Run(Tiny("model.gfmm.json", "--schedule", "Linear"));
        bad.ExitCode.ShouldBe(1);
        bad.Error.TrimEnd().ShouldBe("genlu: --schedule must be one of step, cosine, not 'Linear'.");
        bad.Error.ShouldNotContain("GenLu.Trainer");

        // Lowercase and any case are accepted, and the value takes effect.
        (await Run(Tiny("model.gfmm.json", "--schedule", "STEP"))).ExitCode.ShouldBe(0);
        GfmmModel.Load(PathOf("model.gfmm.json")).Provenance.Construction!.Schedule.ShouldBe("step");
    }

    [Fact]
    public async Task An_out_name_the_generator_would_not_pick_up_draws_a_warning()
    {
        var outcome = await Run(Tiny("x2.json"));
        outcome.ExitCode.ShouldBe(0);
        outcome.Error.ShouldContain("warning: 'x2.json' does not end in .gfmm.json; the GenLu generator only picks up *.gfmm.json files.");
        File.Exists(PathOf("x2.json")).ShouldBeTrue();

        var quiet = await Run(Tiny("model.gfmm.json"));
        quiet.Error.ShouldBeEmpty();

        var factored = await Run("factor", "--operator", "laplacian1d", "--n", "16", "--out", PathOf("f.json"));
        factored.ExitCode.ShouldBe(0);
        factored.Error.ShouldContain("genlu factor: warning: 'f.json' does not end in .gfmm.json");
    }

    [Fact]
    public async Task The_polish_reports_progress()
    {
        var outcome = await Run(["train", "--m", "2", "--p", "4", "--steps", "20", "--polish", "5", "--out", PathOf("model.gfmm.json")]);
        outcome.ExitCode.ShouldBe(0);
        outcome.Output.ShouldContain("polish  iteration ");
        outcome.Output.ShouldContain("/5  loss ");
    }

    [Fact]
    public void Plain_progress_lines_show_each_block_at_its_last_loss()
    {
        var output = new StringWriter();
        var lines = new TrainingProgressView.PlainLines<TrainingProgress>(CliConsole.Plain(output, TextWriter.Null),
            p => $"block {p.Block + 1} loss {p.Loss}");
        double[][] losses = [[8, 4, 2], [1, 0.5, 0.25]];
        for (int block = 0; block < 2; block++)
            foreach (double loss in losses[block])
                lines.Report(new TrainingProgress(block, 2, 0, 0, loss, 1e-3, 100, 1), startsNewPart: lines.Last is { } last && last.Block != block);
        lines.Finish();
        // The first report at once, then each block's last loss (the reports within 5 s are not printed).
        output.ToString().ReplaceLineEndings("\n").ShouldBe("block 1 loss 8\nblock 1 loss 2\nblock 2 loss 0.25\n");
    }

    [Fact]
    public void The_error_heatmap_is_drawn_as_a_matrix_is_read()
    {
        // One non-zero entry at row 1, column 6 of an 8 x 8 residual: its cell must be bright at the top right,
        // and the mirrored cells (row 6, column 6 — the old vertical flip — and row 1, column 1) dark.
        const int n = 8;
        var residual = new double[n * n];
        residual[1 * n + 6] = 1;
        var plot = TrainingPlots.ErrorHeatmap(residual, n, blockSize: 4, modelName: "one.gfmm.json");
        string file = PathOf("heatmap.png");
        plot.SavePng(file, TrainingPlots.HeatmapWidth, TrainingPlots.HeatmapHeight);
        using var bitmap = SKBitmap.Decode(file);

        SKColor At(int row, int column)
        {
            var pixel = plot.GetPixel(new Coordinates(column + 0.5, row + 0.3));
            return bitmap.GetPixel((int)pixel.X, (int)pixel.Y);
        }
        static bool Bright(SKColor c) => c.Red + c.Green > 350; // viridis' top is yellow (253, 231, 37)
        static bool Dark(SKColor c) => c.Red + c.Green < 150;   // its bottom is purple (68, 1, 84)

        var bright = string.Join(" ", from r in Enumerable.Range(0, n) from c in Enumerable.Range(0, n) where Bright(At(r, c)) select $"({r},{c})");
        Bright(At(1, 6)).ShouldBeTrue($"cell (1, 6) is {At(1, 6)}; bright cells: {bright}");
        Dark(At(6, 6)).ShouldBeTrue($"cell (6, 6) is {At(6, 6)}");
        Dark(At(1, 1)).ShouldBeTrue($"cell (1, 1) is {At(1, 1)}");
        Dark(At(6, 1)).ShouldBeTrue($"cell (6, 1) is {At(6, 1)}");
        // Row 1 is above row 6 on the screen, column 6 right of column 1.
        plot.GetPixel(new Coordinates(6.5, 1.5)).Y.ShouldBeLessThan(plot.GetPixel(new Coordinates(6.5, 6.5)).Y);
        plot.GetPixel(new Coordinates(6.5, 1.5)).X.ShouldBeGreaterThan(plot.GetPixel(new Coordinates(1.5, 1.5)).X);
        plot.Axes.Title.Label.Text.ShouldContain("|LU − A/s| of one.gfmm.json");
    }
}
