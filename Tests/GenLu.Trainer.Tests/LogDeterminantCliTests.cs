using System.Text.Json.Nodes;
using GenLu.Dense;
using GenLu.Operators;

namespace GenLu.Tests;

/// <summary><c>inspect --json</c> and <c>eval</c> report <c>log |det|</c> of the model beside that of the operator, which is
/// checked here against a dense double LU of A (issue 12).</summary>
public sealed class LogDeterminantCliTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("genlu-logdet-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string PathOf(string name) => Path.Combine(directory, name);

    /// <summary>log |det A| and its sign for a built-in operator (A = s · the stored matrix).</summary>
    private static (int Sign, double LogAbs) Dense(string name, int n)
    {
        var op = TestOperators.Create(name, n);
        return new LuFactorization<double>(op.Matrix.Select(v => v * op.Scale).ToArray(), n, MatrixLayout.RowMajor).LogDeterminant();
    }

    [Theory]
    [InlineData("rbf", 50)]          // padded: M = 2, P = 32 covers 64
    [InlineData("convdiff1d", 64)]
    public async Task Inspect_reports_the_log_determinant_of_exact_factors_to_float_accuracy(string name, int n)
    {
        (await Cli.Run("factor", "--operator", name, "--n", n.ToString(), "--out", PathOf("m.gfmm.json"))).ExitCode.ShouldBe(0);
        var inspect = await Cli.Run("inspect", PathOf("m.gfmm.json"), "--json");
        inspect.ExitCode.ShouldBe(0, inspect.Error);
        var json = JsonNode.Parse(inspect.Output)!;
        json["N"]!.GetValue<int>().ShouldBe(n);
        var (sign, logAbs) = Dense(name, n);
        json["determinantSign"]!.GetValue<int>().ShouldBe(sign);
        // N float32 pivots, each within about 1e-7 relatively (and the far field cut at the tolerance).
        json["logAbsDeterminant"]!.GetValue<double>().ShouldBe(logAbs, 1e-5 * n);
    }

    [Fact]
    public async Task Eval_reports_the_model_and_the_operator_log_determinant_side_by_side()
    {
        (await Cli.Run("factor", "--operator", "laplacian1d", "--n", "40", "--out", PathOf("lap.gfmm.json"))).ExitCode.ShouldBe(0);
        var eval = await Cli.Run("eval", PathOf("lap.gfmm.json"), "--samples", "2", "--json");
        eval.ExitCode.ShouldBe(0, eval.Error);
        var json = JsonNode.Parse(eval.Output)!;
        // det of the 1D Laplacian tridiag(-1, 2, -1) of order n is n + 1.
        json["operatorLogAbsDeterminant"]!.GetValue<double>().ShouldBe(Math.Log(41), 1e-10);
        json["operatorDeterminantSign"]!.GetValue<int>().ShouldBe(1);
        json["logAbsDeterminant"]!.GetValue<double>().ShouldBe(Math.Log(41), 1e-4);
        json["determinantSign"]!.GetValue<int>().ShouldBe(1);
    }

    [Fact]
    public async Task Eval_with_an_operator_of_the_wrong_order_is_refused_before_building_it()
    {
        (await Cli.Run("factor", "--operator", "laplacian1d", "--n", "40", "--out", PathOf("lap.gfmm.json"))).ExitCode.ShouldBe(0);
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var eval = await Cli.Run("eval", PathOf("lap.gfmm.json"), "--operator", "rbf", "--n", "40000");
        eval.ExitCode.ShouldBe(1);
        eval.Error.ShouldContain("40000 x 40000");
        // An RBF matrix of order 40000 would be 12.8 GB.
        (GC.GetTotalAllocatedBytes(precise: true) - before).ShouldBeLessThan(200L << 20);
    }
}
