using System.Text;
using System.Text.Json.Nodes;
using GenLu.Format;
using GenLu.Gfmm;

namespace GenLu.Tests.Gfmm;

/// <summary>Typed provenance: known fields read typed, unknown fields kept verbatim, bad types named.</summary>
public class GfmmProvenanceTests
{
    private static readonly string FixturePath = TestPaths.Fixture("reference-m2p4.gfmm.json");

    // Known fields of every section, and fields this version does not know (nested ones too).
    private const string Operator = """{"name": "helmholtz1d", "N": 8, "parameters": {"k": 2.5, "sigma": -0.25}, "family": "stencil", "source": {"grid": [8], "bc": "dirichlet"}}""";
    private const string Training = """{"steps": 50, "seed": 1234, "final_loss": 14.711923599243164, "method": "gradient", "betas": [0.9, 0.999], "block_starts": [0, 25], "block_wise": true, "polish": {"iterations": 3, "loss": 0.5, "note": "from an older version"}, "device": "cuda:0", "optimizer_state": {"lr": [0.01, 0.001]}}""";
    private const string Metrics = """{"error_2": 0.125, "relative_frobenius": 0.0625, "condition": 12.5, "per_block": [1e-3, null]}""";

    /// <summary>The reference fixture (valid tensors and checksum) with the given provenance sections.</summary>
    private static string WithSections(string? operatorJson, string? trainingJson, string? metricsJson)
    {
        var root = JsonNode.Parse(File.ReadAllText(FixturePath))!.AsObject();
        root["operator"] = operatorJson is null ? null : JsonNode.Parse(operatorJson);
        root["training"] = trainingJson is null ? null : JsonNode.Parse(trainingJson);
        root["metrics"] = metricsJson is null ? null : JsonNode.Parse(metricsJson);
        return root.ToJsonString();
    }

    [Fact]
    public void Known_fields_are_typed()
    {
        var provenance = GfmmModel.Parse(WithSections(Operator, Training, Metrics)).Provenance;

        provenance.Operator!.Name.ShouldBe("helmholtz1d");
        provenance.Operator.N.ShouldBe(8);
        provenance.Operator.Parameters.ShouldBe(new Dictionary<string, double> { ["k"] = 2.5, ["sigma"] = -0.25 }, ignoreOrder: true);
        provenance.Operator.MatrixFile.ShouldBeNull();

        var construction = provenance.Construction!;
        (construction.Steps, construction.Seed, construction.FinalLoss, construction.Method).ShouldBe((50L, 1234L, 14.711923599243164, "gradient"));
        construction.Betas.ShouldBe([0.9, 0.999]);
        construction.BlockStarts.ShouldBe([0L, 25L]);
        construction.BlockWise.ShouldBe(true);
        construction.Polish!.Iterations.ShouldBe(3);
        construction.Polish.Loss.ShouldBe(0.5);
        construction.Tolerance.ShouldBeNull();

        provenance.Metrics!.Error2.ShouldBe(0.125);
        provenance.Metrics.RelativeFrobenius.ShouldBe(0.0625);
    }

    [Fact]
    public void Unknown_fields_are_kept_and_a_saved_file_has_every_field_of_the_original()
    {
        var model = GfmmModel.Parse(WithSections(Operator, Training, Metrics));
        model.Provenance.Operator!.AdditionalFields.Select(f => f.Key).ShouldBe(["family", "source"], ignoreOrder: true);
        model.Provenance.Construction!.AdditionalFields.Select(f => f.Key).ShouldBe(["device", "optimizer_state"], ignoreOrder: true);
        model.Provenance.Construction.Polish!.AdditionalFields.Select(f => f.Key).ShouldBe(["note"]);
        model.Provenance.Metrics!.AdditionalFields.Select(f => f.Key).ShouldBe(["condition", "per_block"], ignoreOrder: true);

        var saved = JsonNode.Parse(Encoding.UTF8.GetString(model.ToUtf8Json()))!;
        foreach (var (section, original) in new[] { ("operator", Operator), ("training", Training), ("metrics", Metrics) })
            Canonical(saved[section]).ShouldBe(Canonical(JsonNode.Parse(original)), section);

        // And once more through a second load and save: nothing drifts.
        var again = GfmmModel.Parse(saved.ToJsonString());
        again.ToUtf8Json().ShouldBe(model.ToUtf8Json());
    }

    [Fact]
    public void The_reference_file_re_saves_with_its_provenance_unchanged()
    {
        var original = JsonNode.Parse(File.ReadAllText(FixturePath))!;
        var saved = JsonNode.Parse(Encoding.UTF8.GetString(GfmmModel.Load(FixturePath).ToUtf8Json()))!;
        foreach (string section in new[] { "operator", "training" })
            Canonical(saved[section]).ShouldBe(Canonical(original[section]), section);
        saved.AsObject().ContainsKey("metrics").ShouldBeFalse(); // null in the reference file: absent
    }

    [Fact]
    public void A_matrix_file_path_is_read_from_the_parameters_and_written_back_there()
    {
        var model = GfmmModel.Parse(WithSections("""{"name": "a", "N": 8, "parameters": {"file": "/data/a.mtx"}}""", null, null));
        model.Provenance.Operator!.MatrixFile.ShouldBe("/data/a.mtx");
        model.Provenance.Operator.Parameters.ShouldBeEmpty();
        var saved = JsonNode.Parse(Encoding.UTF8.GetString(model.ToUtf8Json()))!;
        saved["operator"]!["parameters"]!["file"]!.GetValue<string>().ShouldBe("/data/a.mtx");
    }

    [Fact]
    public void A_null_parameter_value_is_a_format_error_naming_the_parameter()
    {
        var e = Should.Throw<GfmmFormatException>(() => GfmmModel.Parse(WithSections("""{"name": "laplacian1d", "N": 8, "parameters": {"eps": null}}""", null, null)));
        e.Error.ShouldBe(GfmmFormatError.Field);
        e.Field.ShouldBe("operator.parameters.eps");
        e.Message.ShouldContain("expected a number, found null");
    }

    [Theory]
    [InlineData("""{"name": "laplacian1d", "N": "eight"}""", null, "operator.N", "expected an integer, found a string")]
    [InlineData("""{"name": "laplacian1d", "N": 8.5}""", null, "operator.N", "expected an integer")]
    [InlineData("""{"name": 3}""", null, "operator.name", "expected a string, found a number")]
    [InlineData("""{"parameters": [1, 2]}""", null, "operator.parameters", "expected an object, found a array")]
    [InlineData(null, """{"betas": [0.9, "x"]}""", "training.betas[1]", "expected a number, found a string")]
    [InlineData(null, """{"block_wise": 1}""", "training.block_wise", "expected true or false, found a number")]
    [InlineData(null, """{"polish": {"iterations": true}}""", "training.polish.iterations", "expected an integer, found a boolean")]
    public void A_known_field_of_the_wrong_type_is_a_format_error_naming_it(string? operatorJson, string? trainingJson, string field, string message)
    {
        var e = Should.Throw<GfmmFormatException>(() => GfmmModel.Parse(WithSections(operatorJson, trainingJson, null)));
        e.Error.ShouldBe(GfmmFormatError.Field);
        e.Field.ShouldBe(field);
        e.Message.ShouldContain(message);
    }

    [Fact]
    public void A_known_field_that_is_null_counts_as_absent()
    {
        var provenance = GfmmModel.Parse(WithSections("""{"name": "laplacian1d", "N": null}""", """{"seed": null, "steps": 5}""", """{"error_2": null}""")).Provenance;
        provenance.Operator!.N.ShouldBeNull();
        provenance.Construction!.Seed.ShouldBeNull();
        provenance.Construction.Steps.ShouldBe(5);
        provenance.Metrics!.Error2.ShouldBeNull();
    }

    [Fact]
    public void A_non_finite_metric_is_written_as_null_and_reads_back_as_unknown()
    {
        var model = GfmmModel.Load(FixturePath);
        var infinite = model.WithProvenance(model.Provenance with { Metrics = new ModelMetrics { Error2 = double.PositiveInfinity, RelativeFrobenius = 0.5 } });
        var saved = JsonNode.Parse(Encoding.UTF8.GetString(infinite.ToUtf8Json()))!;
        saved["metrics"]!.AsObject().TryGetPropertyValue("error_2", out var error2).ShouldBeTrue();
        error2.ShouldBeNull();
        var again = GfmmModel.Parse(saved.ToJsonString());
        again.Provenance.Metrics!.Error2.ShouldBeNull();
        again.Provenance.Metrics.RelativeFrobenius.ShouldBe(0.5);
    }

    /// <summary>The JSON text with object members sorted by name at every level, so that member order does not matter.</summary>
    private static string Canonical(JsonNode? node) => node switch
    {
        JsonObject o => "{" + string.Join(",", o.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => JsonValue.Create(m.Key).ToJsonString() + ":" + Canonical(m.Value))) + "}",
        JsonArray a => "[" + string.Join(",", a.Select(Canonical)) + "]",
        null => "null",
        _ => node.ToJsonString(),
    };
}
