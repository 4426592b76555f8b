extern alias EmbedTool;

using System.Buffers.Binary;
using GenLu.Gfmm;
using GenLu.Structure;
using GenLu.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace GenLu.Tests;

/// <summary>
/// The four forms of a generated class — literal or resource data (the real build step, genlu-embed, writes the
/// resource and its manifest), unrolled or looped schedules — solve and multiply like the dense double-precision
/// reference and the Runtime's <see cref="GfmmSolver"/>, and agree bit for bit with each other (they run the same
/// kernels with the same arguments in the same order). Also: the looped source does not grow with M, the resource's
/// step tables are the shared plans, and a missing, stale or damaged resource or manifest is refused clearly.
/// </summary>
public class EmbeddingFormTests
{
    public static TheoryData<int, int, int, bool, int> Shapes => new()
    {
        // m, p, n (0: M · P), banded (only the level-0 bridge stored), form index in EmbeddingForm.All
        { 2, 3, 0, false, 1 }, { 2, 3, 0, false, 2 }, { 2, 3, 0, false, 3 },
        { 8, 4, 0, false, 1 }, { 8, 4, 0, false, 2 }, { 8, 4, 0, false, 3 },
        { 8, 4, 29, false, 3 }, { 16, 8, 0, true, 3 }, { 16, 8, 0, true, 1 }, { 4, 16, 0, false, 3 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_form_matches_the_dense_reference_the_runtime_and_the_unrolled_literal_form(int m, int p, int n, bool banded, int formIndex)
    {
        var model = Model(m, p, n, banded);
        var form = EmbeddingForm.All[formIndex];
        var solver = GeneratedSolver.Build(model, form);
        var literal = GeneratedSolver.Build(model);
        var runtime = new GfmmSolver(model);
        var a = DenseReference.Operator(model);
        int order = model.N;
        var input = GeneratedSolverTests.RandomVector(order, seed: 3);
        var padded = Array.ConvertAll(input, v => (double)v).Concat(new double[m * p - order]).ToArray();
        solver.ShouldMatchDenseAndForm(literal, input, a, padded, 1e-4, 1e-5, form.ToString());
        var output = new float[order];
        var expected = new float[order];
        runtime.Solve(input, expected);
        solver.Operation("Solve")(input, output);
        DenseReference.RelativeError(output, Array.ConvertAll(expected, v => (double)v)).ShouldBeLessThan(1e-5, $"{form}: vs GfmmSolver");

        // A batch of 19 vectors through panels (16 + 3), in place: the literal form's batch, bit for bit.
        var batch = GeneratedSolverTests.RandomVector(order * 19, seed: 4);
        var literalBatch = (float[])batch.Clone();
        solver.Batch("Solve")(batch, batch, 19);
        literal.Batch("Solve")(literalBatch, literalBatch, 19);
        batch.ShouldBe(literalBatch, $"{form}: batched solve");
    }

    [Fact]
    public void The_looped_resource_source_does_not_grow_with_M()
    {
        int Length(int m, EmbeddingForm form) => Source(TestModels.WellConditioned(m, 2, seed: 5), form).Length;
        var looped = new EmbeddingForm(Resource: true, Looped: true);
        int small = Length(16, looped), large = Length(256, looped);
        // Only constants (lengths, the header's words) differ.
        Math.Abs(large - small).ShouldBeLessThan(200, $"looped: {small} vs {large} characters");
        var unrolled = new EmbeddingForm(Resource: true, Looped: false);
        Length(256, unrolled).ShouldBeGreaterThan(10 * Length(16, unrolled) / 2, "unrolled schedules grow with M");

        string source = Source(TestModels.WellConditioned(16, 2, seed: 5), looped);
        System.Text.RegularExpressions.Regex.IsMatch(source, @"AddProduct\(w\.Slice\(\d").ShouldBeFalse("no per-edge statement");
        source.ShouldContain("RunSteps(StepTable(");
        source.ShouldNotContain("0x3F");
    }

    [Theory]
    [InlineData(8, 3, false)]
    [InlineData(16, 2, true)]
    public void The_resources_step_tables_are_the_shared_plans(int m, int p, bool banded)
    {
        var model = Model(m, p, 0, banded);
        using var step = EmbeddedBuildStep.Run(TestModels.Json(model));
        var bytes = File.ReadAllBytes(step.ResourcePath!);
        int Word(int index) => BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4 * index));
        Word(0).ShouldBe(0x45554C47);
        (Word(2), Word(3), Word(4)).ShouldBe((m, p, m * p));
        int stepsStart = 192 / 4 + Word(5) + Word(6) + Word(7) + Word(8);

        // L's stored tensors, then U's, each in the order its solve reads them: the weight offset of each, counted here.
        var stored = new[] { model.L, model.U }.SelectMany(block => TestModels.EmbeddedOrder(block.Layout, t => !banded || block.Layout.IsLevelZeroBridge(t))
            .Select(t => (block.Kind, Tensor: t))).ToList();
        var lower = new GfmmLayout(GfmmKind.Lower, m, p);
        var upper = new GfmmLayout(GfmmKind.Upper, m, p);
        var plans = new[]
        {
            (lower, PlanOperation.Solve, false), (upper, PlanOperation.Solve, false), (lower, PlanOperation.Solve, true), (upper, PlanOperation.Solve, true),
            (lower, PlanOperation.Apply, false), (upper, PlanOperation.Apply, false), (lower, PlanOperation.Apply, true), (upper, PlanOperation.Apply, true),
        };
        for (int i = 0; i < plans.Length; i++)
        {
            var (layout, operation, transposed) = plans[i];
            var plan = ExecutionPlan.Create(layout, operation, transposed, banded ? t => layout.IsLevelZeroBridge(t) : null);
            int start = stepsStart + Word(10 + i), length = Word(18 + i);
            length.ShouldBe(4 * plan.Steps.Count, $"plan {i}");
            for (int s = 0; s < plan.Steps.Count; s++)
            {
                var expected = plan.Steps[s];
                int code = Word(start + 4 * s), argument = Word(start + 4 * s + 1), target = Word(start + 4 * s + 3);
                int kind = code & 7;
                switch (expected.Kind)
                {
                    case PlanStepKind.Clear: kind.ShouldBe(0); break;
                    case PlanStepKind.Copy: kind.ShouldBe(1); break;
                    case PlanStepKind.Product:
                        kind.ShouldBe(expected.Transposed ? 3 : 2);
                        ((code & 8) != 0).ShouldBe(expected.Negative);
                        stored[argument / (p * p)].ShouldBe((layout.Kind, expected.Tensor), $"plan {i} step {s}");
                        break;
                    default:
                        kind.ShouldBe(expected.Transposed ? 5 : 4);
                        argument.ShouldBe((layout.Kind == GfmmKind.Lower ? 0 : m) + expected.Block);
                        break;
                }
                (target >> 2).ShouldBe(expected.Target.Index * p, $"plan {i} step {s} target");
                ((target & 3) == 0).ShouldBe(expected.Target.Kind == OperandKind.Scratch);
            }
        }
    }

    [Fact]
    public void A_missing_stale_short_or_altered_resource_throws_a_clear_typed_exception_at_first_use()
    {
        var model = TestModels.WellConditioned(4, 2, seed: 8);
        var other = TestModels.WellConditioned(4, 2, seed: 9);
        using var step = EmbeddedBuildStep.Run(TestModels.Json(model));
        using var otherStep = EmbeddedBuildStep.Run(TestModels.Json(other));
        var (output, result) = GeneratorHarness.Run(GeneratorHarness.Compilation(GeneratorHarness.SolverSource("Solver", step.WeightPath)),
            [new InMemoryAdditionalText(step.WeightPath, step.Json), new InMemoryAdditionalText(step.ManifestPath, step.Manifest)], []);
        result.Diagnostics.ShouldBeEmpty();
        var good = File.ReadAllBytes(step.ResourcePath!);
        var altered = (byte[])good.Clone();
        altered[4 * 3] ^= 1; // P

        foreach (var (resources, message) in new (ResourceDescription[], string)[]
                 {
                     ([], "the assembly holds no such resource"),
                     ([step.Resource(File.ReadAllBytes(otherStep.ResourcePath!))], "SHA-256"),
                     ([step.Resource(good[..^4])], $"it holds {good.Length - 4} bytes"),
                     ([step.Resource(altered)], "header word 3"),
                 })
        {
            var type = GeneratorHarness.Load(output, resources).GetType("Demo.Solver", throwOnError: true)!;
            var solve = type.GetMethod("Solve", [typeof(ReadOnlySpan<float>), typeof(Span<float>)])!.CreateDelegate<VectorOperation>();
            var e = Should.Throw<InvalidDataException>(() => solve(new float[8], new float[8]));
            e.Message.ShouldContain(message);
            e.Message.ShouldContain("Demo.Solver");
            Should.Throw<InvalidDataException>(() => solve(new float[8], new float[8])).Message.ShouldBe(e.Message, "every call, not only the first");
        }
    }

    [Fact]
    public void GLU012_an_unreadable_or_inconsistent_manifest_and_GLU013_no_unsafe_code()
    {
        var model = TestModels.WellConditioned(4, 2, seed: 8);
        using var step = EmbeddedBuildStep.Run(TestModels.Json(model));
        string source = GeneratorHarness.SolverSource("Solver", step.WeightPath);
        string manifest = step.Manifest;
        foreach (var (text, reason) in new[]
                 {
                     (manifest.Replace("genlu-embedded-model 1", "genlu-embedded-model 7"), "does not start with"),
                     (manifest.Replace("\nm 4\n", "\nm 8\n"), "masks do not fit"),
                     (manifest.Replace("\np 2\n", "\np 3\n"), "header disagrees"),
                     (manifest.Replace("\nn 8\n", "\nn 6\n"), "header disagrees"),
                     (manifest.Replace("\nscale ", "\nscales "), "'scale' is missing"),
                 })
        {
            text.ShouldNotBe(manifest);
            var (_, result) = GeneratorHarness.Run(GeneratorHarness.Compilation(source),
                [new InMemoryAdditionalText(step.WeightPath, step.Json), new InMemoryAdditionalText(step.ManifestPath, text)], []);
            var diagnostic = result.Diagnostics.ShouldHaveSingleItem();
            diagnostic.Id.ShouldBe("GLU012");
            diagnostic.GetMessage().ShouldContain(reason, Case.Sensitive, diagnostic.GetMessage());
            result.Results.Single().GeneratedSources.ShouldNotContain(s => s.HintName.EndsWith(".GfmmSolver.g.cs", StringComparison.Ordinal));
        }

        var safeOnly = GeneratorHarness.Compilation(source).WithOptions(
            ((CSharpCompilationOptions)GeneratorHarness.Compilation(source).Options).WithAllowUnsafe(false));
        var (_, unsafeResult) = GeneratorHarness.Run(safeOnly,
            [new InMemoryAdditionalText(step.WeightPath, step.Json), new InMemoryAdditionalText(step.ManifestPath, manifest)], []);
        unsafeResult.Diagnostics.ShouldHaveSingleItem().Id.ShouldBe("GLU013");
    }

    [Fact]
    public void A_float64_resource_holds_doubles_and_names_its_type_and_a_float32_one_cannot_be_widened()
    {
        var single = TestModels.WellConditioned(4, 2, seed: 8);
        using var wide = EmbeddedBuildStep.Run(TestModels.Json(single.ToFloat64()));
        using var narrow = EmbeddedBuildStep.Run(TestModels.Json(single));
        var wideHeader = Header(File.ReadAllBytes(wide.ResourcePath!));
        var narrowHeader = Header(File.ReadAllBytes(narrow.ResourcePath!));
        // Header word 26 names the number type (0 float32, 1 float64); the section lengths count elements, so they agree.
        (narrowHeader[26], wideHeader[26]).ShouldBe((0, 1));
        wideHeader.Take(26).ShouldBe(narrowHeader.Take(26));
        // Weights, factors and reciprocals take 8 bytes each instead of 4; pivots and step tables stay int32.
        long numbers = (long)narrowHeader[5] + narrowHeader[6] + narrowHeader[7];
        (new FileInfo(wide.ResourcePath!).Length - new FileInfo(narrow.ResourcePath!).Length).ShouldBe(4 * numbers);

        string source = GeneratorHarness.SolverSource("Solver", narrow.WeightPath, attributeArguments: ", Precision = GenLu.GfmmPrecision.Double");
        var (_, result) = GeneratorHarness.Run(GeneratorHarness.Compilation(source),
            [new InMemoryAdditionalText(narrow.WeightPath, narrow.Json), new InMemoryAdditionalText(narrow.ManifestPath, narrow.Manifest)], []);
        var diagnostic = result.Diagnostics.ShouldHaveSingleItem();
        diagnostic.Id.ShouldBe("GLU014");
        diagnostic.GetMessage().ShouldContain("GenLuEmbed=\"Source\"");

        // A manifest whose header names no number type is GLU012.
        string manifest = wide.Manifest;
        int start = manifest.IndexOf("\nheader ", StringComparison.Ordinal) + "\nheader ".Length;
        var words = manifest.Substring(start).TrimEnd('\n').Split(',');
        words[26] = "5";
        string damaged = manifest.Substring(0, start) + string.Join(",", words) + "\n";
        var (_, damagedResult) = GeneratorHarness.Run(GeneratorHarness.Compilation(GeneratorHarness.SolverSource("Solver", wide.WeightPath)),
            [new InMemoryAdditionalText(wide.WeightPath, wide.Json), new InMemoryAdditionalText(wide.ManifestPath, damaged)], []);
        var unusable = damagedResult.Diagnostics.ShouldHaveSingleItem();
        unusable.Id.ShouldBe("GLU012");
        unusable.GetMessage().ShouldContain("names no number type");
    }

    private static int[] Header(byte[] resource) =>
        Enumerable.Range(0, 32).Select(i => System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(resource.AsSpan(4 * i))).ToArray();

    [Fact]
    public void A_file_the_build_step_rejects_gets_the_generators_own_diagnostic_and_message()
    {
        var singular = TestModels.WellConditioned(2, 2, seed: 3);
        singular.L.Tensor(singular.L.Layout.Diagonal(1)).Clear();
        string badChecksum = WeightFiles.Edit(root => root["sha256"] = new string('0', 64));
        foreach (string json in new[] { TestModels.Json(singular), badChecksum, "{ \"format\": " })
        {
            using var step = EmbeddedBuildStep.Run(json);
            step.ResourcePath.ShouldBeNull();
            var (_, direct) = GeneratorHarness.Run(GeneratorHarness.Compilation(GeneratorHarness.SolverSource("Solver", step.WeightPath)),
                [new InMemoryAdditionalText(step.WeightPath, json)], []);
            var (_, viaManifest) = GeneratorHarness.Run(GeneratorHarness.Compilation(GeneratorHarness.SolverSource("Solver", step.WeightPath)),
                [new InMemoryAdditionalText(step.WeightPath, json), new InMemoryAdditionalText(step.ManifestPath, step.Manifest)], []);
            var expected = direct.Diagnostics.ShouldHaveSingleItem();
            var actual = viaManifest.Diagnostics.ShouldHaveSingleItem();
            actual.Id.ShouldBe(expected.Id);
            actual.GetMessage().ShouldBe(expected.GetMessage());
        }
    }

    [Fact]
    public void The_build_step_embeds_by_mode_and_threshold_and_rewrites_only_what_changed()
    {
        string json = TestModels.Json(TestModels.WellConditioned(4, 2, seed: 8));
        using var step = EmbeddedBuildStep.Run(json, mode: "Source");
        step.ResourcePath.ShouldBeNull();
        File.ReadAllText(Path.Combine(step.OutputDirectory, "manifests.txt")).Trim().ShouldBeEmpty();

        step.RunAgain("Auto", threshold: json.Length + 1).ShouldBe(0);
        step.ResourcePath.ShouldBeNull("below the threshold, Auto leaves the model to the generator");
        step.RunAgain("Auto", threshold: json.Length).ShouldBe(0);
        string resource = step.ResourcePath.ShouldNotBeNull();

        var written = File.GetLastWriteTimeUtc(step.ManifestPath);
        File.SetLastWriteTimeUtc(step.ManifestPath, written.AddSeconds(5));
        File.SetLastWriteTimeUtc(resource, written.AddSeconds(5));
        var before = File.ReadAllBytes(resource);
        step.RunAgain("Resource").ShouldBe(0);
        File.GetLastWriteTimeUtc(step.ManifestPath).ShouldBe(written.AddSeconds(5), "up to date: not rewritten");

        // A new model in the same file: the resource and the manifest follow it.
        File.WriteAllText(step.WeightPath, TestModels.Json(TestModels.WellConditioned(4, 2, seed: 9)));
        File.SetLastWriteTimeUtc(step.WeightPath, written.AddSeconds(10));
        step.RunAgain("Resource").ShouldBe(0);
        File.ReadAllBytes(resource).ShouldNotBe(before);
        Directory.GetFiles(step.OutputDirectory, "*.tmp").ShouldBeEmpty("written through temporary files and moved");
    }

    [Fact]
    public void Source_for_a_tiny_M2_P2_model_with_resource_data_and_looped_schedules_matches_the_approved_snapshot()
    {
        string source = Source(TestModels.WellConditioned(2, 2, seed: 42), new EmbeddingForm(Resource: true, Looped: true), out string resourceName);
        // The resource's name carries a hash of the temporary directory; everything else is fixed by the model.
        source.Replace(resourceName, "GenLu.model-HASH.gfmm.bin").ShouldMatchApproved(c => c.SubFolder("Snapshots"));
    }

    private static GfmmModel Model(int m, int p, int n, bool banded)
    {
        var full = TestModels.WellConditioned(m, p, seed: (ulong)(m * 31 + p), scale: 2);
        if (banded)
            foreach (var block in new[] { full.L, full.U })
                for (int t = 0; t < block.Layout.TensorCount; t++)
                    if (!block.Layout.IsLevelZeroBridge(t)) block.Tensor(t).Clear();
        return n == 0 ? full : new GfmmModel(full.L, full.U, full.Scale, n: n);
    }

    private static string Source(GfmmModel model, EmbeddingForm form) => Source(model, form, out _);

    private static string Source(GfmmModel model, EmbeddingForm form, out string resourceName)
    {
        var options = new Dictionary<string, string> { ["build_property.genluunrollmaxleaves"] = form.Looped ? "0" : "1000000" };
        using var step = EmbeddedBuildStep.Run(TestModels.Json(model));
        resourceName = Path.GetFileName(step.ResourcePath!);
        var files = new List<AdditionalText> { new InMemoryAdditionalText(step.WeightPath, step.Json) };
        if (form.Resource) files.Add(new InMemoryAdditionalText(step.ManifestPath, step.Manifest));
        var (_, result) = GeneratorHarness.Run(GeneratorHarness.Compilation(GeneratorHarness.SolverSource("Solver", step.WeightPath)), files, options);
        result.Diagnostics.ShouldBeEmpty();
        return GeneratorHarness.SolverText(result).Replace(step.WeightPath, "/tmp/model.gfmm.json");
    }
}
