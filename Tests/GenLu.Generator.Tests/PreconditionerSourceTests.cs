extern alias GeneratorAssembly;

using System.Reflection;
using GenLu.Solvers;
using GenLu.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using static GenLu.Tests.Infrastructure.GeneratorHarness;
using TrackingNames = GeneratorAssembly::GenLu.Generator.TrackingNames;

namespace GenLu.Tests;

/// <summary>The <c>Preconditioner</c> property exists exactly when the consumer references GenLu.Runtime.</summary>
public class PreconditionerSourceTests
{
    private const string ModelPath = "models/tiny.gfmm.json";

    private static readonly MetadataReference Runtime = MetadataReference.CreateFromFile(typeof(IPreconditioner).Assembly.Location);

    [Fact]
    public void With_the_runtime_referenced_the_source_gains_exactly_the_approved_property()
    {
        var model = TestModels.WellConditioned(2, 2, seed: 42, scale: 0.5);
        var file = WeightFiles.File(TestModels.Json(model), "/project/src/" + ModelPath);
        var plain = Compilation(SolverSource("Tiny", ModelPath));
        string without = SolverText(Driver([file]).RunGenerators(plain).GetRunResult());
        Driver([file]).RunGeneratorsAndUpdateCompilation(plain.AddReferences(Runtime), out var output, out var diagnostics);
        diagnostics.ShouldBeEmpty();
        Problems(output).ShouldBeEmpty();
        string with = SolverText(Driver([file]).RunGenerators(plain.AddReferences(Runtime)).GetRunResult());

        var (added, remaining) = Insertion(without.Split('\n'), with.Split('\n'));
        remaining.ShouldBe(without.Split('\n'));
        string.Join("\n", added).ShouldMatchApproved(c => c.SubFolder("Snapshots"));
    }

    [Fact]
    public void Without_the_runtime_no_property_is_emitted_and_the_source_needs_nothing_but_the_framework()
    {
        var (output, result) = Run(SolverSource("Tiny", ModelPath), WeightFiles.File(WeightFiles.Valid(), "/project/src/" + ModelPath));
        Problems(output).ShouldBeEmpty();
        string text = SolverText(result);
        text.ShouldNotContain("Preconditioner");
        text.ShouldNotContain("GenLu.Solvers");
        output.References.ShouldNotContain(r => r.Display != null && r.Display.Contains("GenLu.Runtime", StringComparison.Ordinal));
    }

    [Fact]
    public void The_emitted_preconditioner_solves_in_double_through_the_generated_float_solve()
    {
        var model = TestModels.WellConditioned(4, 8, seed: 3);
        var driver = Driver([WeightFiles.File(TestModels.Json(model), "/project/src/" + ModelPath)]);
        driver.RunGeneratorsAndUpdateCompilation(Compilation(SolverSource("Solver", ModelPath)).AddReferences(Runtime), out var output, out _);
        Problems(output).ShouldBeEmpty();
        var type = Load(output).GetType("Demo.Solver", throwOnError: true)!;
        var preconditioner = (IPreconditioner)type.GetProperty("Preconditioner", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
        preconditioner.Order.ShouldBe(model.N);

        var random = new Random(2);
        var r = Enumerable.Range(0, model.N).Select(_ => (random.NextDouble() * 2 - 1) * 1e-42).ToArray(); // below float's range
        var z = new double[model.N];
        preconditioner.Apply(r, z);
        var expected = DenseReference.Solve(DenseReference.Operator(model), r.Select(v => v * 1e42).ToArray());
        double difference = 0, norm = 0;
        for (int i = 0; i < z.Length; i++)
        {
            difference += Math.Pow(z[i] * 1e42 - expected[i], 2);
            norm += expected[i] * expected[i];
        }
        Math.Sqrt(difference / norm).ShouldBeLessThan(1e-5);
    }

    [Fact]
    public void With_the_runtime_referenced_a_second_run_and_an_unrelated_edit_are_served_from_the_cache()
    {
        var compilation = Compilation(SolverSource("Solver", WeightFiles.ModelPath), "namespace Demo; public class Unrelated { }").AddReferences(Runtime);
        var driver = Driver([WeightFiles.File(WeightFiles.Valid())]).RunGenerators(compilation);
        SolverText(driver.GetRunResult()).ShouldContain("public static global::GenLu.Solvers.IPreconditioner Preconditioner");

        var unrelated = compilation.SyntaxTrees.Single(t => t.FilePath.EndsWith("Other1.cs", StringComparison.Ordinal));
        var edited = compilation.ReplaceSyntaxTree(unrelated,
            CSharpSyntaxTree.ParseText("namespace Demo; public class Unrelated { public int Added; }", GeneratorHarness.ParseOptions, unrelated.FilePath));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        foreach (string step in new[] { TrackingNames.ReferencesRuntime, TrackingNames.Plans })
            foreach (var run in result.TrackedSteps[step])
                foreach (var (_, reason) in run.Outputs)
                    reason.ShouldBeOneOf([IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged], $"step {step}");
        result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs)
            .ShouldAllBe(o => o.Reason == IncrementalStepRunReason.Cached || o.Reason == IncrementalStepRunReason.Unchanged);
    }

    [Fact]
    public void Adding_the_runtime_reference_re_emits_with_the_property()
    {
        var compilation = Compilation(SolverSource("Solver", WeightFiles.ModelPath));
        var driver = Driver([WeightFiles.File(WeightFiles.Valid())]).RunGenerators(compilation);
        SolverText(driver.GetRunResult()).ShouldNotContain("Preconditioner");

        var result = driver.RunGenerators(compilation.AddReferences(Runtime)).GetRunResult();

        result.Results.Single().TrackedSteps[TrackingNames.ReferencesRuntime].SelectMany(s => s.Outputs)
            .ShouldContain(o => o.Reason == IncrementalStepRunReason.Modified);
        SolverText(result).ShouldContain("Preconditioner");
    }

    /// <summary>The one contiguous block of lines that <paramref name="longer"/> has beyond <paramref name="shorter"/>,
    /// and <paramref name="longer"/> without it.</summary>
    private static (string[] Added, string[] Remaining) Insertion(string[] shorter, string[] longer)
    {
        int prefix = 0;
        while (prefix < shorter.Length && shorter[prefix] == longer[prefix]) prefix++;
        int suffix = 0;
        while (suffix < shorter.Length - prefix && shorter[^(suffix + 1)] == longer[^(suffix + 1)]) suffix++;
        var added = longer[prefix..(longer.Length - suffix)];
        return (added, [.. longer[..prefix], .. longer[(longer.Length - suffix)..]]);
    }
}
