extern alias GeneratorAssembly;

using GenLu.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using static GenLu.Tests.Infrastructure.GeneratorHarness;
using TrackingNames = GeneratorAssembly::GenLu.Generator.TrackingNames;

namespace GenLu.Tests;

/// <summary>The pipeline's models are equatable, so unchanged inputs are served from the cache.</summary>
public class IncrementalTests
{
    private static readonly string[] TrackedSteps =
    [
        TrackingNames.Targets, TrackingNames.WeightFiles, TrackingNames.AllWeightFiles, TrackingNames.ProjectDirectory,
        TrackingNames.Results, TrackingNames.Plans, TrackingNames.Diagnostics,
    ];

    [Fact]
    public void A_second_run_with_the_same_inputs_is_entirely_cached()
    {
        var compilation = Compilation(SolverSource("Solver", WeightFiles.ModelPath), "namespace Demo; public class Unrelated { }");
        var driver = Driver([WeightFiles.File(WeightFiles.Valid())]).RunGenerators(compilation);

        var second = driver.RunGenerators(compilation.Clone()).GetRunResult().Results.Single();

        foreach (string step in TrackedSteps) ShouldBeCached(second, step);
        second.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs)
            .ShouldAllBe(o => o.Reason == IncrementalStepRunReason.Cached || o.Reason == IncrementalStepRunReason.Unchanged);
    }

    [Fact]
    public void Editing_an_unrelated_file_does_not_re_emit()
    {
        var compilation = Compilation(SolverSource("Solver", WeightFiles.ModelPath), "namespace Demo; public class Unrelated { }");
        var driver = Driver([WeightFiles.File(WeightFiles.Valid())]).RunGenerators(compilation);

        var unrelated = compilation.SyntaxTrees.Single(t => t.FilePath.EndsWith("Other1.cs", StringComparison.Ordinal));
        var edited = compilation.ReplaceSyntaxTree(unrelated,
            CSharpSyntaxTree.ParseText("namespace Demo; public class Unrelated { public int Added; }", GeneratorHarness.ParseOptions, unrelated.FilePath));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        foreach (string step in new[] { TrackingNames.WeightFiles, TrackingNames.Results, TrackingNames.Plans, TrackingNames.Diagnostics })
            ShouldBeCached(result, step);
        result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs)
            .ShouldAllBe(o => o.Reason == IncrementalStepRunReason.Cached || o.Reason == IncrementalStepRunReason.Unchanged);
    }

    [Fact]
    public void Changing_the_weight_file_re_emits()
    {
        var compilation = Compilation(SolverSource("Solver", WeightFiles.ModelPath));
        var file = WeightFiles.File(WeightFiles.Valid(seed: 1));
        var driver = Driver([file]).RunGenerators(compilation);
        string before = SolverText(driver.GetRunResult());

        driver = driver.ReplaceAdditionalText(file, WeightFiles.File(WeightFiles.Valid(seed: 2))).RunGenerators(compilation);
        var result = driver.GetRunResult();

        result.Results.Single().TrackedSteps[TrackingNames.Plans].SelectMany(s => s.Outputs)
            .ShouldContain(o => o.Reason == IncrementalStepRunReason.Modified);
        SolverText(result).ShouldNotBe(before);
    }

    [Fact]
    public void A_model_embedded_as_a_resource_is_served_from_the_cache_until_its_manifest_changes()
    {
        using var step = EmbeddedBuildStep.Run(WeightFiles.Valid(m: 4, seed: 1));
        var compilation = Compilation(SolverSource("Solver", step.WeightPath), "namespace Demo; public class Unrelated { }");
        var manifest = new InMemoryAdditionalText(step.ManifestPath, step.Manifest);
        var driver = Driver([new InMemoryAdditionalText(step.WeightPath, step.Json), manifest]).RunGenerators(compilation);
        string before = SolverText(driver.GetRunResult());
        before.ShouldContain("EmbeddedData.Floats(");

        var unrelated = compilation.SyntaxTrees.Single(t => t.FilePath.EndsWith("Other1.cs", StringComparison.Ordinal));
        var edited = compilation.ReplaceSyntaxTree(unrelated,
            CSharpSyntaxTree.ParseText("namespace Demo; public class Unrelated { public int Added; }", GeneratorHarness.ParseOptions, unrelated.FilePath));
        var cached = driver.RunGenerators(edited).GetRunResult().Results.Single();
        foreach (string name in new[] { TrackingNames.Manifests, TrackingNames.AllManifests, TrackingNames.Options, TrackingNames.Results, TrackingNames.Plans })
            ShouldBeCached(cached, name);

        // The build step ran again on a new model in the same file: a new manifest, new code.
        File.WriteAllText(step.WeightPath, WeightFiles.Valid(m: 4, seed: 2));
        File.SetLastWriteTimeUtc(step.WeightPath, File.GetLastWriteTimeUtc(step.ManifestPath).AddSeconds(10));
        step.RunAgain().ShouldBe(0);
        var result = driver.ReplaceAdditionalText(manifest, new InMemoryAdditionalText(step.ManifestPath, step.Manifest)).RunGenerators(edited).GetRunResult();
        result.Results.Single().TrackedSteps[TrackingNames.Plans].SelectMany(s => s.Outputs)
            .ShouldContain(o => o.Reason == IncrementalStepRunReason.Modified);
        SolverText(result).ShouldNotBe(before);
    }

    private static void ShouldBeCached(GeneratorRunResult result, string step)
    {
        result.TrackedSteps.ShouldContainKey(step);
        foreach (var run in result.TrackedSteps[step])
            foreach (var (_, reason) in run.Outputs)
                reason.ShouldBeOneOf([IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged], $"step {step}");
    }
}
