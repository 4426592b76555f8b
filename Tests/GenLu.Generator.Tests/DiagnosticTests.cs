using System.Globalization;
using GenLu.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using static GenLu.Tests.Infrastructure.GeneratorHarness;
using GenLu.Gfmm;
using GenLu.Exact;

namespace GenLu.Tests;

/// <summary>One test per GLU diagnostic: the id, the severity, the location (the attribute) and the message,
/// which is approved as a snapshot. Errors stop the solver from being generated.</summary>
public class DiagnosticTests
{
    private static readonly string Source = SolverSource("Solver", WeightFiles.ModelPath);

    [Fact]
    public void GLU001_weight_file_not_found()
    {
        var diagnostic = Single(Source, WeightFiles.File(WeightFiles.Valid(), "/project/src/models/other.gfmm.json"));
        Check(diagnostic, "GLU001", DiagnosticSeverity.Error);
    }

    [Fact]
    public void GLU002_malformed_json()
    {
        string json = WeightFiles.Valid();
        Check(Single(Source, WeightFiles.File(json.Replace("\"version\":2", "\"version\" 2"))), "GLU002", DiagnosticSeverity.Error);
    }

    [Fact]
    public void GLU002_truncated_json()
    {
        string json = WeightFiles.Valid();
        Check(Single(Source, WeightFiles.File(json.Substring(0, json.Length / 2))), "GLU002", DiagnosticSeverity.Error);
    }

    [Fact]
    public void GLU003_wrong_format()
    {
        string json = WeightFiles.Edit(root => root["format"] = "onnx");
        Check(Single(Source, WeightFiles.File(json)), "GLU003", DiagnosticSeverity.Error);
    }

    [Fact]
    public void GLU003_unsupported_version()
    {
        string json = WeightFiles.Edit(root => root["version"] = 3);
        Check(Single(Source, WeightFiles.File(json)), "GLU003", DiagnosticSeverity.Error);
    }

    [Fact]
    public void GLU004_m_not_a_power_of_two()
    {
        string json = WeightFiles.Edit(root => root["M"] = 3);
        Check(Single(Source, WeightFiles.File(json)), "GLU004", DiagnosticSeverity.Error);
    }

    [Fact]
    public void GLU004_tensor_shape_mismatch()
    {
        string json = WeightFiles.Edit(root => root["tensors"]!["L.encoder.0.1.W.weight"]!["shape"] = new System.Text.Json.Nodes.JsonArray(2, 3));
        Check(Single(Source, WeightFiles.File(json)), "GLU004", DiagnosticSeverity.Error);
    }

    [Fact]
    public void GLU005_missing_diagonal_block()
    {
        // Version 2 may leave out zero tensors, never a diagonal block (a zero G_i is singular).
        string json = WeightFiles.Edit(root => root["tensors"]!.AsObject().Remove("U.bridges.0.diag_blocks.1.W.weight"));
        Check(Single(Source, WeightFiles.File(json)), "GLU005", DiagnosticSeverity.Error);
    }

    [Fact]
    public void GLU005_missing_tensor_of_a_version_1_file()
    {
        string json = WeightFiles.Edit(root =>
        {
            root["version"] = 1;
            root.AsObject().Remove("N");
            root["tensors"]!.AsObject().Remove("U.decoder.0.1.W.weight");
        });
        Check(Single(Source, WeightFiles.File(json)), "GLU005", DiagnosticSeverity.Error);
    }

    [Fact]
    public void GLU005_unexpected_tensor()
    {
        string json = WeightFiles.Edit(root => root["tensors"]!["L.encoder.0.2.W.weight"] =
            System.Text.Json.Nodes.JsonNode.Parse("{\"shape\":[2,2],\"data\":\"" + WeightFiles.Base64Floats(0, 0, 0, 0) + "\"}"));
        Check(Single(Source, WeightFiles.File(json)), "GLU005", DiagnosticSeverity.Error);
    }

    [Fact]
    public void GLU006_non_finite_weight()
    {
        string json = WeightFiles.Edit(root => root["tensors"]!["U.bridges.0.upper_blocks.0.W.weight"]!["data"] =
            WeightFiles.Base64Floats(1, float.NaN, 0, 0));
        Check(Single(Source, WeightFiles.File(json)), "GLU006", DiagnosticSeverity.Error);
    }

    [Fact]
    public void GLU006_non_positive_scale()
    {
        string json = WeightFiles.Edit(root => root["scale"] = -2);
        Check(Single(Source, WeightFiles.File(json)), "GLU006", DiagnosticSeverity.Error);
    }

    [Fact]
    public void GLU007_checksum_mismatch()
    {
        string json = WeightFiles.Edit(root => root["sha256"] = new string('0', 64));
        Check(Single(Source, WeightFiles.File(json)), "GLU007", DiagnosticSeverity.Error);
    }

    [Fact]
    public void GLU008_singular_diagonal_block()
    {
        var model = TestModels.WellConditioned(4, 3, seed: 2);
        var g = model.U.Tensor(model.U.Layout.Diagonal(2));
        for (int column = 0; column < 3; column++) g[3 + column] = 2 * g[column]; // row 1 = 2 · row 0
        Check(Single(Source, WeightFiles.File(TestModels.Json(model))), "GLU008", DiagnosticSeverity.Error);
    }

    [Fact]
    public void GLU008_diagonal_entry_without_a_float_reciprocal()
    {
        var model = TestModels.WellConditioned(4, 3, seed: 2);
        var g = model.L.Tensor(model.L.Layout.Diagonal(1));
        for (int k = 0; k < 9; k++) g[k] = k % 4 == 0 ? 1f : 0f;
        g[0] = 1e-39f; // a subnormal pivot: the LU factors exist, but 1 / 1e-39 overflows float
        Check(Single(Source, WeightFiles.File(TestModels.Json(model))), "GLU008", DiagnosticSeverity.Error);
    }

    [Theory]
    [InlineData("public partial class")]
    [InlineData("public static class")]
    public void GLU009_target_not_static_partial(string modifiers)
    {
        var diagnostic = Single(SolverSource("Solver", WeightFiles.ModelPath, modifiers.Replace(" class", "")),
            WeightFiles.File(WeightFiles.Valid()));
        diagnostic.Id.ShouldBe("GLU009");
        diagnostic.Severity.ShouldBe(DiagnosticSeverity.Error);
        diagnostic.GetMessage(CultureInfo.InvariantCulture).ShouldBe(
            "'Demo.Solver' must be declared 'static partial' (and every type that contains it 'partial') to receive the generated GFMM solver");
    }

    [Fact]
    public void GLU009_containing_type_not_partial()
    {
        const string source = """
            namespace Demo;

            public class Outer
            {
                [GenLu.GfmmSolver("models/model.gfmm.json")]
                public static partial class Solver { }
            }
            """;
        Check(Single(source, WeightFiles.File(WeightFiles.Valid())), "GLU009", DiagnosticSeverity.Error);
    }

    [Fact]
    public void GLU010_model_too_large_is_a_warning_and_the_solver_is_still_generated()
    {
        var (output, result) = Run(Source, WeightFiles.File(WeightFiles.Valid(m: 2, p: 256)));
        var diagnostic = result.Diagnostics.ShouldHaveSingleItem();
        Check(diagnostic, "GLU010", DiagnosticSeverity.Warning);
        result.Results.Single().GeneratedSources.Length.ShouldBe(2);
        output.SyntaxTrees.Count().ShouldBe(3);
    }

    [Fact]
    public void GLU011_a_model_too_large_to_generate_is_refused_from_its_header()
    {
        // M = 4096, P = 1: 0.4 MB of data but ~60 M characters of unrolled schedules (the compiler once took
        // 77 s and 4.3 GB on it). The header alone decides: the tensors are not there, and GLU005 never fires.
        string json = WeightFiles.Edit(root =>
        {
            root["M"] = 4096;
            root["P"] = 1;
        });
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var diagnostic = Single(Source, WeightFiles.File(json));
        clock.Elapsed.TotalSeconds.ShouldBeLessThan(30);
        Check(diagnostic, "GLU011", DiagnosticSeverity.Error);
    }

    [Fact]
    public void GLU014_single_precision_for_a_float64_file()
    {
        string json = TestModels.Json(TestModels.WellConditioned(2, 2, seed: 1).ToFloat64());
        Check(Single(SolverSource("Solver", WeightFiles.ModelPath, attributeArguments: ", Precision = GenLu.GfmmPrecision.Single"), WeightFiles.File(json)),
            "GLU014", DiagnosticSeverity.Error);
    }

    [Fact]
    public void GLU014_an_undefined_precision_value()
    {
        Check(Single(SolverSource("Solver", WeightFiles.ModelPath, attributeArguments: ", Precision = (GenLu.GfmmPrecision)7"), WeightFiles.File(WeightFiles.Valid())),
            "GLU014", DiagnosticSeverity.Error);
    }

    [Fact]
    public void Errors_stop_generation_but_the_attribute_is_always_added()
    {
        var (_, result) = Run(Source, WeightFiles.File(WeightFiles.Edit(root => root["M"] = 3)));
        result.Results.Single().GeneratedSources.ShouldHaveSingleItem().HintName.ShouldBe("GenLu.GfmmSolverAttribute.g.cs");
    }

    private static Diagnostic Single(string source, params AdditionalText[] files)
    {
        var (_, result) = Run(source, files);
        var diagnostic = result.Diagnostics.ShouldHaveSingleItem();
        // Diagnostics travel through the pipeline as data, so they carry a file location rather than a tree.
        diagnostic.Location.GetLineSpan().Path.ShouldBe(SourcePath);
        source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length).ShouldStartWith("GenLu.GfmmSolver(");
        return diagnostic;
    }

    /// <summary>Checks id, severity and that the diagnostic points at the attribute, then approves the text.</summary>
    private static void Check(Diagnostic diagnostic, string id, DiagnosticSeverity severity)
    {
        diagnostic.Id.ShouldBe(id);
        diagnostic.Severity.ShouldBe(severity);
        string text = $"{diagnostic.Id} {diagnostic.Severity} {diagnostic.Location.GetLineSpan()}\n{diagnostic.GetMessage(CultureInfo.InvariantCulture)}\n";
        text.ShouldMatchApproved(c => c.SubFolder("Snapshots").UseCallerLocation());
    }
}
