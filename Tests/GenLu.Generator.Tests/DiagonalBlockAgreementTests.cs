using System.Globalization;
using System.Text.RegularExpressions;
using GenLu.Gfmm;
using GenLu.Tests.Infrastructure;
using static GenLu.Tests.Infrastructure.GeneratorHarness;

namespace GenLu.Tests;

/// <summary>The Runtime's structured solver and the generator take their diagonal-block factors from one routine:
/// they reject the same models with the same message and embed, respectively expose, the same numbers.</summary>
public class DiagonalBlockAgreementTests
{
    private static readonly string Source = SolverSource("Solver", WeightFiles.ModelPath);

    public static TheoryData<string, float[]> RejectedBlocks() => new()
    {
        { "an exactly zero pivot", [1, 2, 0, 2, 4, 0, 0, 0, 1] },
        { "a pivot of 1e-45 whose float reciprocal overflows", [1e-45f, 0, 0, 0, 1, 0, 0, 0, 1] },
    };

    [Fact]
    public void Weights_beyond_the_format_limit_are_refused_by_both_readers_with_the_same_message()
    {
        // 3e38 in G_1: its float LU would overflow, and products by such weights overflow float on ordinary inputs.
        var model = TestModels.WellConditioned(4, 3, seed: 5);
        string json = WeightFiles.Edit(root => root["tensors"]!["L.bridges.0.diag_blocks.1.W.weight"]!["data"] =
            WeightFiles.Base64Floats(3e38f, 3e38f, 0, -3e38f, 3e38f, 0, 0, 0, 1), TestModels.Json(model));

        var e = Should.Throw<GenLu.Format.GfmmFormatException>(() => GfmmModel.Parse(json));
        e.Error.ShouldBe(GenLu.Format.GfmmFormatError.NonFinite);
        var (_, result) = Run(Source, WeightFiles.File(json));
        var diagnostic = result.Diagnostics.ShouldHaveSingleItem();
        diagnostic.Id.ShouldBe("GLU006");
        diagnostic.GetMessage(CultureInfo.InvariantCulture).ShouldContain(e.Message.Substring("Invalid GFMM weight file: ".Length));
    }

    [Theory]
    [MemberData(nameof(RejectedBlocks))]
    public void A_model_rejected_by_the_runtime_is_rejected_by_the_generator_with_the_same_message(string why, float[] g)
    {
        var model = TestModels.WellConditioned(4, 3, seed: 5);
        g.CopyTo(model.L.Tensor(model.L.Layout.Diagonal(1)));

        var e = Should.Throw<SingularBlockException>(() => new GfmmSolver(model), why);
        (e.Factor, e.Block, e.TensorName).ShouldBe(("L", 1, "L.bridges.0.diag_blocks.1.W.weight"));

        var (_, result) = Run(Source, WeightFiles.File(TestModels.Json(model)));
        var diagnostic = result.Diagnostics.ShouldHaveSingleItem();
        diagnostic.Id.ShouldBe("GLU008");
        diagnostic.GetMessage(CultureInfo.InvariantCulture).ShouldBe($"The GFMM weight file '{WeightFiles.ModelPath}' cannot be solved: {e.Message}");
        result.Results.Single().GeneratedSources.ShouldHaveSingleItem(); // the attribute only: no solver
    }

    [Theory]
    [InlineData(2, 1)]
    [InlineData(4, 3)]
    [InlineData(8, 5)]
    public void An_accepted_model_embeds_exactly_the_runtime_solvers_factors_pivots_and_reciprocals(int m, int p)
    {
        var model = TestModels.WellConditioned(m, p, seed: (ulong)(m * 31 + p));
        var solver = new GfmmSolver(model);
        var (_, result) = Run(Source, WeightFiles.File(TestModels.Json(model)));
        result.Diagnostics.ShouldBeEmpty();
        string text = SolverText(result);

        // The embedded layout (DataEmitter): per block, the strict lower triangle of the in-place factors, then the
        // strict upper one, each column-major and zero-padded; the reciprocals of U's diagonal; the pivots.
        var expectedTriangles = new List<uint>();
        var expectedReciprocals = new List<uint>();
        foreach (var factors in new[] { solver.LowerDiagonalFactors.ToArray(), solver.UpperDiagonalFactors.ToArray() })
            for (int block = 0; block < m; block++)
            {
                int start = block * p * p;
                foreach (bool lower in new[] { true, false })
                    for (int column = 0; column < p; column++)
                        for (int row = 0; row < p; row++)
                            expectedTriangles.Add(Bits((lower ? row > column : row < column) ? factors[start + row * p + column] : 0f));
                for (int k = 0; k < p; k++) expectedReciprocals.Add(Bits(1f / factors[start + k * p + k]));
            }
        Embedded(text, "FactorBits").ShouldBe(expectedTriangles);
        Embedded(text, "InverseDiagonalBits").ShouldBe(expectedReciprocals);
        Embedded(text, "Pivots").Select(v => (int)v).ShouldBe(
            solver.LowerDiagonalPivots.ToArray().Concat(solver.UpperDiagonalPivots.ToArray()));
    }

    private static uint Bits(float value) => BitConverter.SingleToUInt32Bits(value);

    /// <summary>The elements of the generated <c>ReadOnlySpan</c> property <paramref name="name"/>, parsed from the source.</summary>
    private static List<uint> Embedded(string text, string name)
    {
        var match = Regex.Match(text, @"ReadOnlySpan<(?:uint|int)> " + name + @" =>\s*\[(?<items>[^\]]*)\];");
        match.Success.ShouldBeTrue(name);
        return match.Groups["items"].Value.Split([',', ' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries)
            .Select(item => item.StartsWith("0x", StringComparison.Ordinal)
                ? uint.Parse(item.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture)
                : (uint)int.Parse(item, CultureInfo.InvariantCulture))
            .ToList();
    }
}
