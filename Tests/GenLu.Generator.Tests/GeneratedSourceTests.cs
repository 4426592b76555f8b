using System.Diagnostics;
using GenLu.Tests.Infrastructure;
using Xunit.Abstractions;
using static GenLu.Tests.Infrastructure.GeneratorHarness;
using GenLu.Gfmm;

namespace GenLu.Tests;

/// <summary>The emitted text: an approved snapshot for a tiny model, clean compilation, and its size.</summary>
public class GeneratedSourceTests(ITestOutputHelper output)
{
    [Fact]
    public void Source_for_a_tiny_M2_P2_model_matches_the_approved_snapshot()
    {
        var model = TestModels.WellConditioned(2, 2, seed: 42, scale: 0.5);
        var (compilation, result) = Run(SolverSource("Tiny", "models/tiny.gfmm.json"),
            WeightFiles.File(TestModels.Json(model), "/project/src/models/tiny.gfmm.json"));
        result.Diagnostics.ShouldBeEmpty();
        Problems(compilation).ShouldBeEmpty();
        SolverText(result).ShouldMatchApproved(c => c.SubFolder("Snapshots"));
    }

    [Fact]
    public void Attribute_source_matches_the_approved_snapshot()
    {
        var (_, result) = Run(SolverSource("Tiny", "models/tiny.gfmm.json"));
        result.Results.Single().GeneratedSources.Single(s => s.HintName == "GenLu.GfmmSolverAttribute.g.cs")
            .SourceText.ToString().ShouldMatchApproved(c => c.SubFolder("Snapshots"));
    }

    [Fact]
    public void Nested_and_global_namespace_targets_compile()
    {
        const string source = """
            [GenLu.GfmmSolver("models/model.gfmm.json")]
            internal static partial class GlobalSolver { }

            namespace Demo
            {
                public partial class Outer
                {
                    public partial struct Inner
                    {
                        [GenLu.GfmmSolver("models/model.gfmm.json")]
                        internal static partial class NestedSolver { }
                    }
                }
            }
            """;
        var (compilation, result) = Run(source, WeightFiles.File(WeightFiles.Valid()));
        result.Diagnostics.ShouldBeEmpty();
        Problems(compilation).ShouldBeEmpty();
        result.Results.Single().GeneratedSources.Select(s => s.HintName).Order().ShouldBe(
            ["Demo.Outer.Inner.NestedSolver.GfmmSolver.g.cs", "GenLu.GfmmSolverAttribute.g.cs", "GlobalSolver.GfmmSolver.g.cs"]);
    }

    /// <summary>Reports generation time and source size (no timing assertion) and bounds the size: about three
    /// characters per embedded byte, plus a schedule that grows linearly in M, plus the P-specialized kernels.</summary>
    [Theory]
    [InlineData(8, 32)]
    [InlineData(128, 32)]
    public void Generated_source_size_is_linear_in_the_embedded_data(int m, int p)
    {
        var model = TestModels.WellConditioned(m, p, seed: 1);
        string json = TestModels.Json(model);
        var compilation = Compilation(SolverSource("Solver", "models/model.gfmm.json"));
        var driver = Driver([WeightFiles.File(json)]);

        var clock = Stopwatch.StartNew();
        var result = driver.RunGenerators(compilation).GetRunResult();
        double cold = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        Driver([WeightFiles.File(json)]).RunGenerators(compilation); // a fresh driver: no cache, generator code already jitted
        double warm = clock.Elapsed.TotalMilliseconds;

        string text = SolverText(result);
        long embeddedBytes = 4L * (model.ParameterCount + 4 * m * p * p + 4 * m * p); // weights, padded triangles, diagonals, pivots
        output.WriteLine($"M = {m}, P = {p}: {model.ParameterCount:N0} weights, {embeddedBytes:N0} embedded bytes, " +
                         $"generated {text.Length:N0} characters ({text.Count(c => c == '\n'):N0} lines) in {cold:F0} ms (first run), {warm:F0} ms (warm)");
        if (m <= 8)
        {
            // What the consumer's compiler then spends on the generated file (parse, bind, emit the data).
            clock.Restart();
            var compiled = Compilation("namespace Demo; public static partial class Solver { }", text);
            using var stream = new MemoryStream();
            compiled.Emit(stream).Success.ShouldBeTrue();
            output.WriteLine($"  compiling the generated source: {clock.Elapsed.TotalMilliseconds:F0} ms, {stream.Length:N0}-byte assembly");
        }
        ((long)text.Length).ShouldBeLessThan((long)(3.0 * embeddedBytes) + 8L * m * 1_800 + 400_000); // the constant: P-kernels (the lane sweep's P² lines at P = 32), the parallel solve's worker pool
    }
}
