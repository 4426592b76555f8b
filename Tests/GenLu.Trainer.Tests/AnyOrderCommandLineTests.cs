using System.CommandLine;
using System.Diagnostics;
using GenLu.Gfmm;
using GenLu.IO;
using GenLu.Sparse;
using GenLu.Tests.Support;
using GenLu.Trainer.Cli;
using GenLu.Trainer.Training;

namespace GenLu.Tests;

/// <summary>
/// <c>genlu factor</c> and <c>genlu train</c> for any order N (defaults P = 32 and the smallest power-of-two M with
/// M·P ≥ N, the matrix padded with the identity) and for sparse coordinate files, which are read into CSR with the size
/// checked from the header first.
/// </summary>
public sealed class AnyOrderCommandLineTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("genlu-any-n-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static Task<Outcome> Run(CancellationToken cancellation, params string[] args) => Cli.Run(cancellation, args);

    private static Task<Outcome> Run(params string[] args) => Cli.Run(args);

    private string PathOf(string name) => Path.Combine(directory, name);

    [Theory]
    [InlineData(new[] { "--operator", "rbf", "--n", "1000" }, 32, 32, 1000)]
    [InlineData(new[] { "--operator", "laplacian2d", "--grid", "40" }, 64, 32, 1600)]
    [InlineData(new[] { "--operator", "laplacian1d", "--n", "37", "--p", "8" }, 8, 8, 37)]
    [InlineData(new[] { "--operator", "laplacian1d", "--n", "20", "--m", "16", "--p", "2" }, 16, 2, 20)]
    [InlineData(new[] { "--operator", "laplacian1d", "--n", "3" }, 2, 32, 3)]
    [InlineData(new string[0], 8, 32, 256)]                       // today's default problem and sizes
    [InlineData(new[] { "--m", "4", "--p", "4" }, 4, 4, 16)]      // N follows M * P when no size is given
    public void Defaults_pick_P_32_and_the_smallest_power_of_two_M_covering_N(string[] args, int m, int p, int n)
    {
        var problem = new ProblemOptions();
        var leaves = FactorCommand.LeavesOption();
        var blockSize = FactorCommand.BlockSizeOption();
        var command = new Command("test");
        problem.AddTo(command);
        command.Options.Add(leaves);
        command.Options.Add(blockSize);

        var (resolved, mValue, pValue) = problem.ResolveWithLayout(command.Parse(args), leaves, blockSize);

        (mValue, pValue, resolved.N).ShouldBe((m, p, n));
    }

    [Fact]
    public async Task Factor_of_order_37_writes_padded_exact_factors_of_A_direct_sum_identity()
    {
        var outcome = await Run("factor", "--operator", "convdiff1d", "--n", "37", "--p", "8", "--out", PathOf("cd.gfmm.json"));
        outcome.Error.ShouldBeEmpty();
        outcome.ExitCode.ShouldBe(0);
        outcome.Output.ShouldContain("padded to 64");
        outcome.Output.ShouldContain("block LU: 8/8 blocks");

        var model = GfmmModel.Load(PathOf("cd.gfmm.json"));
        (model.M, model.P).ShouldBe((8, 8));
        model.Provenance.Operator!.N.ShouldBe(37);
        var op = GenLu.Operators.TestOperators.ConvectionDiffusion1d(37);
        var product = Product(NaiveGfmm.Dense(model.L), NaiveGfmm.Dense(model.U));
        for (int r = 0; r < 64; r++)
        {
            for (int c = 0; c < 64; c++)
            {
                double expected = r < 37 && c < 37 ? op.Matrix[(r * 37) + c] : r == c ? 1 : 0;
                product[r, c].ShouldBe(expected, 1e-6);
            }
        }
        model.Provenance.Metrics!.Error2!.Value.ShouldBeLessThan(1e-5);
    }

    [Fact]
    public async Task Factor_reads_a_coordinate_file_as_sparse_and_reproduces_it()
    {
        const int n = 50;
        var builder = new CsrBuilder(n, n);
        for (int i = 0; i < n; i++)
        {
            builder.Add(i, i, 4);
            if (i > 0) builder.Add(i, i - 1, -1);
            if (i + 3 < n) builder.Add(i, i + 3, 0.5);
        }
        var a = builder.Build();
        MatrixMarket.Write(PathOf("a.mtx"), a);

        var outcome = await Run("factor", "--matrix", PathOf("a.mtx"), "--p", "8", "--out", PathOf("a.gfmm.json"));
        outcome.Error.ShouldBeEmpty();
        outcome.ExitCode.ShouldBe(0);
        outcome.Output.ShouldContain($"sparse, {a.NonZeroCount} entries");

        var model = GfmmModel.Load(PathOf("a.gfmm.json"));
        model.Scale.ShouldBe(4);
        (model.M, model.P).ShouldBe((8, 8));
        var product = Product(NaiveGfmm.Dense(model.L), NaiveGfmm.Dense(model.U));
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++)
                (product[r, c] * model.Scale).ShouldBe(a[r, c], 1e-5);
    }

    [Fact]
    public async Task A_huge_declared_order_with_a_wrong_m_is_refused_from_the_header_and_with_defaults_fails_fast_as_singular()
    {
        // 20,000 x 20,000 declared, one entry: densifying it would take 3.2 GB.
        File.WriteAllText(PathOf("huge.mtx"), "%%MatrixMarket matrix coordinate real general\n20000 20000 1\n1 1 2.5\n");

        var clock = Stopwatch.StartNew();
        var wrong = await Run("factor", "--matrix", PathOf("huge.mtx"), "--m", "4", "--out", PathOf("huge.gfmm.json"));
        wrong.ExitCode.ShouldBe(1);
        wrong.Error.ShouldContain("M * P = 128 (M = 4, P = 32) is smaller than the matrix order N = 20000");
        wrong.Error.ShouldContain("the smallest M is 1024");
        wrong.Error.TrimEnd().Split('\n').Length.ShouldBe(1);

        var singular = await Run("factor", "--matrix", PathOf("huge.mtx"), "--out", PathOf("huge.gfmm.json"));
        singular.ExitCode.ShouldBe(1);
        singular.Error.ShouldStartWith("genlu factor: ");
        singular.Error.ShouldContain("Schur complement block 0");
        singular.Error.TrimEnd().Split('\n').Length.ShouldBe(1);
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(20));
        File.Exists(PathOf("huge.gfmm.json")).ShouldBeFalse();
    }

    [Fact]
    public async Task Factor_above_the_dense_metrics_order_reports_the_sampled_residual_only()
    {
        // Padded order 8,192 > TrainingProblem.MaxDenseOrder: nothing N² is formed, the residual is sampled.
        const int n = 4100;
        var builder = new CsrBuilder(n, n);
        for (int i = 0; i < n; i++)
        {
            builder.Add(i, i, 2);
            if (i > 0) builder.Add(i, i - 1, -1);
            if (i + 1 < n) builder.Add(i, i + 1, -1);
        }
        MatrixMarket.Write(PathOf("lap.mtx"), builder.Build());

        var outcome = await Run("factor", "--matrix", PathOf("lap.mtx"), "--out", PathOf("lap.gfmm.json"));
        outcome.Error.ShouldBeEmpty();
        outcome.ExitCode.ShouldBe(0);

        outcome.Output.ShouldContain("4 random x");
        var metrics = GfmmModel.Load(PathOf("lap.gfmm.json")).Provenance.Metrics!;
        metrics.Error2.ShouldBeNull();
        double sampled = metrics.AdditionalFields[ModelExport.SampledResidualField]!.GetValue<double>();
        sampled.ShouldBeGreaterThan(0);
        sampled.ShouldBeLessThan(1e-5);
    }

    [Fact]
    public async Task Factor_cancelled_before_it_starts_writes_nothing()
    {
        var outcome = await Run(new CancellationToken(canceled: true), "factor", "--operator", "rbf", "--n", "100", "--out", PathOf("rbf.gfmm.json"));
        outcome.ExitCode.ShouldBe(GenluCommandLine.InterruptedExitCode);
        outcome.Error.ShouldContain("interrupted; nothing written");
        File.Exists(PathOf("rbf.gfmm.json")).ShouldBeFalse();
    }

    [Fact]
    public async Task Train_fits_a_padded_matrix_of_any_order_read_from_a_coordinate_file()
    {
        const int n = 6;
        var builder = new CsrBuilder(n, n);
        for (int i = 0; i < n; i++)
        {
            builder.Add(i, i, 3);
            if (i > 0) builder.Add(i, i - 1, -1);
        }
        MatrixMarket.Write(PathOf("six.mtx"), builder.Build());

        var outcome = await Run("train", "--matrix", PathOf("six.mtx"), "--p", "4", "--steps", "40", "--polish", "0", "--out", PathOf("six.gfmm.json"));
        outcome.Error.ShouldBeEmpty();
        outcome.ExitCode.ShouldBe(0);
        var model = GfmmModel.Load(PathOf("six.gfmm.json"));
        (model.M, model.P).ShouldBe((2, 4));
        model.Provenance.Operator!.N.ShouldBe(n);
        model.Scale.ShouldBe(3);
    }

    [Fact]
    public void A_sparse_problem_densifies_only_up_to_the_documented_order()
    {
        var large = new CsrBuilder(TrainingProblem.MaxDenseOrder + 1, TrainingProblem.MaxDenseOrder + 1);
        large.Add(0, 0, 1);
        var problem = new TrainingProblem("large", large.Build(), 1);
        problem.CanBeDense.ShouldBeFalse();
        Should.Throw<InvalidOperationException>(() => problem.PaddedMatrix(8192)).Message.ShouldContain("factor it exactly");

        var small = new CsrBuilder(3, 3);
        small.Add(0, 1, 2);
        small.Add(2, 2, 5);
        var padded = new TrainingProblem("small", small.Build(), 1).PaddedMatrix(4);
        padded.ShouldBe([0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 1]);
    }

    /// <summary>The dense product of two square matrices (the blocks' own dense forms).</summary>
    private static double[,] Product(double[,] x, double[,] y)
    {
        int n = x.GetLength(0);
        var z = new double[n, n];
        for (int r = 0; r < n; r++)
            for (int k = 0; k < n; k++)
                for (int c = 0; c < n; c++) z[r, c] += x[r, k] * y[k, c];
        return z;
    }
}
