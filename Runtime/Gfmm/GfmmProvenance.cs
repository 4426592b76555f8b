using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using GenLu.Format;

namespace GenLu.Gfmm;

/// <summary>
/// Optional provenance kept in a weight file (docs/format.md, "Provenance"): which operator the model
/// approximates (the <c>"operator"</c> section), how it was obtained (<c>"training"</c>) and its measured
/// accuracy (<c>"metrics"</c>). The known fields are typed; every other field of a section is kept in
/// that section's <c>AdditionalFields</c> and written back unchanged, so files of older versions and of
/// the reference implementation load and re-save without losing anything.
/// </summary>
public sealed record GfmmProvenance
{
    /// <summary>No provenance at all (a model built in code).</summary>
    public static GfmmProvenance None { get; } = new();

    /// <summary>The <c>"operator"</c> section, or null when the file has none.</summary>
    public OperatorProvenance? Operator { get; init; }

    /// <summary>The <c>"training"</c> section (also written by the exact construction), or null.</summary>
    public ConstructionProvenance? Construction { get; init; }

    /// <summary>The <c>"metrics"</c> section, or null.</summary>
    public ModelMetrics? Metrics { get; init; }

    /// <summary>Reads the three sections from their JSON text (null when absent); a known field of the wrong
    /// JSON type is a <see cref="GfmmFormatException"/> naming it.</summary>
    internal static GfmmProvenance Parse(string? operatorJson, string? trainingJson, string? metricsJson) => new()
    {
        Operator = operatorJson is null ? null : OperatorProvenance.Read(new ProvenanceReader(operatorJson, OperatorProvenance.Section)),
        Construction = trainingJson is null ? null : ConstructionProvenance.Read(new ProvenanceReader(trainingJson, ConstructionProvenance.Section)),
        Metrics = metricsJson is null ? null : ModelMetrics.Read(new ProvenanceReader(metricsJson, ModelMetrics.Section)),
    };

    internal void WriteTo(Utf8JsonWriter writer)
    {
        WriteSection(writer, OperatorProvenance.Section, Operator?.ToJson());
        WriteSection(writer, ConstructionProvenance.Section, Construction?.ToJson());
        WriteSection(writer, ModelMetrics.Section, Metrics?.ToJson());
    }

    private static void WriteSection(Utf8JsonWriter writer, string name, JsonObject? section)
    {
        if (section is null) return;
        writer.WritePropertyName(name);
        section.WriteTo(writer);
    }
}

/// <summary>The <c>"operator"</c> section: which matrix the model approximates.</summary>
public sealed record OperatorProvenance
{
    internal const string Section = "operator";
    private const string FileParameter = "file";

    /// <summary><c>"name"</c>: a built-in operator's name (<c>genlu operators</c>) or a matrix file's stem.</summary>
    public string? Name { get; init; }

    /// <summary><c>"N"</c>: the matrix order.</summary>
    public int? N { get; init; }

    /// <summary>The numeric members of <c>"parameters"</c> (a built-in operator's settings, e.g. <c>eps</c>).</summary>
    public IReadOnlyDictionary<string, double> Parameters { get; init; } = new Dictionary<string, double>(StringComparer.Ordinal);

    /// <summary><c>"parameters"."file"</c>: the full path of the matrix file the operator was read from, if any.</summary>
    public string? MatrixFile { get; init; }

    /// <summary>Fields of the section this version does not know, kept verbatim.</summary>
    public JsonObject AdditionalFields { get; init; } = [];

    internal static OperatorProvenance Read(ProvenanceReader reader)
    {
        string? name = reader.String("name");
        int? n = reader.Int32("N");
        var parameters = new Dictionary<string, double>(StringComparer.Ordinal);
        string? file = null;
        if (reader.Object("parameters") is { } section)
        {
            foreach (string key in section.Keys())
            {
                if (key == FileParameter) file = section.String(key);
                else parameters.Add(key, section.Double(key) ?? throw section.Error(key, "expected a number, found null"));
            }
        }
        return new OperatorProvenance { Name = name, N = n, Parameters = parameters, MatrixFile = file, AdditionalFields = reader.Remaining() };
    }

    /// <summary>The section as it is written to the file (known fields first, then the additional ones).</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject();
        ProvenanceWriter.Add(json, "name", Name);
        ProvenanceWriter.Add(json, "N", N);
        if (Parameters.Count > 0 || MatrixFile is not null)
        {
            var parameters = new JsonObject();
            foreach (var (key, value) in Parameters) ProvenanceWriter.Add(parameters, key, value);
            ProvenanceWriter.Add(parameters, FileParameter, MatrixFile);
            json["parameters"] = parameters;
        }
        return ProvenanceWriter.WithAdditional(json, AdditionalFields);
    }
}

/// <summary>
/// The <c>"training"</c> section: how the weights were obtained — by training (<c>method</c>
/// <c>"gradient"</c>) or by the exact construction (<c>"exact"</c>), and with which settings.
/// </summary>
public sealed record ConstructionProvenance
{
    internal const string Section = "training";

    /// <summary>The <c>method</c> of a trained model.</summary>
    public const string GradientMethod = "gradient";

    /// <summary>The <c>method</c> of an exactly constructed model.</summary>
    public const string ExactMethod = "exact";

    /// <summary><c>"method"</c>: <see cref="GradientMethod"/>, <see cref="ExactMethod"/>, or absent (the reference).</summary>
    public string? Method { get; init; }

    /// <summary><c>"optimizer"</c>, e.g. <c>"adam"</c>.</summary>
    public string? Optimizer { get; init; }

    /// <summary><c>"steps"</c>: optimisation steps taken.</summary>
    public long? Steps { get; init; }

    /// <summary><c>"seed"</c> of the initial weights.</summary>
    public long? Seed { get; init; }

    /// <summary><c>"final_loss"</c>: <c>‖LU − A/s‖_F²</c> of the whole matrix at the end of training.</summary>
    public double? FinalLoss { get; init; }

    /// <summary><c>"seconds"</c> the construction took.</summary>
    public double? Seconds { get; init; }

    /// <summary><c>"tolerance"</c>: relative truncation tolerance of the exact construction's far-field bases.</summary>
    public double? Tolerance { get; init; }

    /// <summary><c>"init"</c>: where training started, <c>"random"</c> or <c>"exact"</c>.</summary>
    public string? Init { get; init; }

    /// <summary><c>"kept"</c>: why the starting weights were kept instead of the trained ones, when they were.</summary>
    public string? Kept { get; init; }

    /// <summary><c>"block_wise"</c>: block rows fitted one after another.</summary>
    public bool? BlockWise { get; init; }

    /// <summary><c>"transpose_loss"</c>: the transposed products were fitted too.</summary>
    public bool? TransposeLoss { get; init; }

    /// <summary><c>"learning_rate"</c>.</summary>
    public double? LearningRate { get; init; }

    /// <summary><c>"late_learning_rate"</c>.</summary>
    public double? LateLearningRate { get; init; }

    /// <summary><c>"late_after_steps"</c>.</summary>
    public long? LateAfterSteps { get; init; }

    /// <summary><c>"schedule"</c>: the learning-rate schedule, <c>"step"</c> or <c>"cosine"</c>.</summary>
    public string? Schedule { get; init; }

    /// <summary><c>"betas"</c>: Adam's (β₁, β₂).</summary>
    public IReadOnlyList<double>? Betas { get; init; }

    /// <summary><c>"max_steps_per_block"</c>.</summary>
    public long? MaxStepsPerBlock { get; init; }

    /// <summary><c>"block_starts"</c>: the global step at which each block began.</summary>
    public IReadOnlyList<long>? BlockStarts { get; init; }

    /// <summary><c>"polish"</c>: the L-BFGS polish after training, if one ran.</summary>
    public PolishProvenance? Polish { get; init; }

    /// <summary>Fields of the section this version does not know, kept verbatim.</summary>
    public JsonObject AdditionalFields { get; init; } = [];

    internal static ConstructionProvenance Read(ProvenanceReader reader) => new()
    {
        Method = reader.String("method"),
        Optimizer = reader.String("optimizer"),
        Steps = reader.Int64("steps"),
        Seed = reader.Int64("seed"),
        FinalLoss = reader.Double("final_loss"),
        Seconds = reader.Double("seconds"),
        Tolerance = reader.Double("tolerance"),
        Init = reader.String("init"),
        Kept = reader.String("kept"),
        BlockWise = reader.Boolean("block_wise"),
        TransposeLoss = reader.Boolean("transpose_loss"),
        LearningRate = reader.Double("learning_rate"),
        LateLearningRate = reader.Double("late_learning_rate"),
        LateAfterSteps = reader.Int64("late_after_steps"),
        Schedule = reader.String("schedule"),
        Betas = reader.Doubles("betas"),
        MaxStepsPerBlock = reader.Int64("max_steps_per_block"),
        BlockStarts = reader.Int64s("block_starts"),
        Polish = reader.Object("polish") is { } polish ? PolishProvenance.Read(polish) : null,
        AdditionalFields = reader.Remaining(),
    };

    /// <summary>The section as it is written to the file (known fields first, then the additional ones).</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject();
        ProvenanceWriter.Add(json, "method", Method);
        ProvenanceWriter.Add(json, "optimizer", Optimizer);
        ProvenanceWriter.Add(json, "steps", Steps);
        ProvenanceWriter.Add(json, "seed", Seed);
        ProvenanceWriter.Add(json, "final_loss", FinalLoss);
        ProvenanceWriter.Add(json, "seconds", Seconds);
        ProvenanceWriter.Add(json, "tolerance", Tolerance);
        ProvenanceWriter.Add(json, "init", Init);
        ProvenanceWriter.Add(json, "kept", Kept);
        ProvenanceWriter.Add(json, "block_wise", BlockWise);
        ProvenanceWriter.Add(json, "transpose_loss", TransposeLoss);
        ProvenanceWriter.Add(json, "learning_rate", LearningRate);
        ProvenanceWriter.Add(json, "late_learning_rate", LateLearningRate);
        ProvenanceWriter.Add(json, "late_after_steps", LateAfterSteps);
        ProvenanceWriter.Add(json, "schedule", Schedule);
        ProvenanceWriter.Add(json, "betas", Betas);
        ProvenanceWriter.Add(json, "max_steps_per_block", MaxStepsPerBlock);
        ProvenanceWriter.Add(json, "block_starts", BlockStarts);
        if (Polish is not null) json["polish"] = Polish.ToJson();
        return ProvenanceWriter.WithAdditional(json, AdditionalFields);
    }
}

/// <summary>The <c>"training"."polish"</c> object: the float64 L-BFGS polish after training.</summary>
public sealed record PolishProvenance
{
    /// <summary><c>"method"</c>, e.g. <c>"lbfgs-float64"</c>.</summary>
    public string? Method { get; init; }

    /// <summary><c>"iterations"</c> run.</summary>
    public long? Iterations { get; init; }

    /// <summary><c>"loss"</c> at the end.</summary>
    public double? Loss { get; init; }

    /// <summary><c>"seconds"</c> it took.</summary>
    public double? Seconds { get; init; }

    /// <summary>Fields this version does not know, kept verbatim.</summary>
    public JsonObject AdditionalFields { get; init; } = [];

    internal static PolishProvenance Read(ProvenanceReader reader) => new()
    {
        Method = reader.String("method"),
        Iterations = reader.Int64("iterations"),
        Loss = reader.Double("loss"),
        Seconds = reader.Double("seconds"),
        AdditionalFields = reader.Remaining(),
    };

    /// <summary>The section as it is written to the file (known fields first, then the additional ones).</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject();
        ProvenanceWriter.Add(json, "method", Method);
        ProvenanceWriter.Add(json, "iterations", Iterations);
        ProvenanceWriter.Add(json, "loss", Loss);
        ProvenanceWriter.Add(json, "seconds", Seconds);
        return ProvenanceWriter.WithAdditional(json, AdditionalFields);
    }
}

/// <summary>The <c>"metrics"</c> section: the model's accuracy, in float64 from the stored float32 weights.</summary>
public sealed record ModelMetrics
{
    internal const string Section = "metrics";

    /// <summary><c>"error_2"</c>: <c>‖LU − A/s‖₂</c>.</summary>
    public double? Error2 { get; init; }

    /// <summary><c>"relative_frobenius"</c>: <c>‖LU − A/s‖_F / ‖A/s‖_F</c>.</summary>
    public double? RelativeFrobenius { get; init; }

    /// <summary>Fields of the section this version does not know, kept verbatim.</summary>
    public JsonObject AdditionalFields { get; init; } = [];

    internal static ModelMetrics Read(ProvenanceReader reader) => new()
    {
        Error2 = reader.Double("error_2"),
        RelativeFrobenius = reader.Double("relative_frobenius"),
        AdditionalFields = reader.Remaining(),
    };

    /// <summary>The section as it is written to the file (known fields first, then the additional ones).</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject();
        ProvenanceWriter.Add(json, "error_2", Error2);
        ProvenanceWriter.Add(json, "relative_frobenius", RelativeFrobenius);
        return ProvenanceWriter.WithAdditional(json, AdditionalFields);
    }
}

/// <summary>
/// Takes the known fields out of one provenance object, typed; what is left is the section's additional
/// fields. A known field that is null counts as absent; one of another JSON type is a
/// <see cref="GfmmFormatException"/> (<see cref="GfmmFormatError.Field"/>) naming its path.
/// </summary>
internal sealed class ProvenanceReader
{
    private readonly JsonObject fields;
    private readonly string path;

    public ProvenanceReader(string json, string path)
        : this(JsonNode.Parse(json)!.AsObject(), path)
    {
    }

    private ProvenanceReader(JsonObject fields, string path)
    {
        this.fields = fields;
        this.path = path;
    }

    public IEnumerable<string> Keys() => fields.Select(f => f.Key).ToArray();

    public string? String(string name) => Take(name, JsonValueKind.String, "a string") is { } node ? node.GetValue<string>() : null;

    public bool? Boolean(string name)
    {
        var node = Take(name, null, "true or false");
        if (node is null) return null;
        var kind = node.GetValueKind();
        if (kind is not (JsonValueKind.True or JsonValueKind.False)) throw Error(name, $"expected true or false, found {Describe(kind)}");
        return kind == JsonValueKind.True;
    }

    public double? Double(string name) => Take(name, JsonValueKind.Number, "a number") is { } node ? ParseDouble(node) : null;

    public long? Int64(string name) => Take(name, JsonValueKind.Number, "an integer") is { } node ? ParseInteger(node, name, long.MinValue, long.MaxValue) : null;

    public int? Int32(string name) => Take(name, JsonValueKind.Number, "an integer") is { } node ? (int)ParseInteger(node, name, int.MinValue, int.MaxValue) : null;

    public IReadOnlyList<double>? Doubles(string name) => Array(name, "a number", (item, _) => ParseDouble(item));

    public IReadOnlyList<long>? Int64s(string name) => Array(name, "an integer", (item, at) => ParseInteger(item, at, long.MinValue, long.MaxValue));

    public ProvenanceReader? Object(string name) =>
        Take(name, JsonValueKind.Object, "an object") is { } node ? new ProvenanceReader(node.AsObject(), path + "." + name) : null;

    /// <summary>The fields not taken, detached from the file's tree.</summary>
    public JsonObject Remaining() => (JsonObject)fields.DeepClone();

    public GfmmFormatException Error(string name, string message) =>
        new(GfmmFormatError.Field, path + "." + name, message + ".");

    private IReadOnlyList<T>? Array<T>(string name, string itemType, Func<JsonNode, string, T> parse)
    {
        var node = Take(name, JsonValueKind.Array, "an array");
        if (node is null) return null;
        var items = node.AsArray();
        var values = new T[items.Count];
        for (int i = 0; i < values.Length; i++)
        {
            string at = name + "[" + i.ToString(CultureInfo.InvariantCulture) + "]";
            var kind = items[i]?.GetValueKind() ?? JsonValueKind.Null;
            if (kind != JsonValueKind.Number) throw Error(at, $"expected {itemType}, found {Describe(kind)}");
            values[i] = parse(items[i]!, at);
        }
        return values;
    }

    /// <summary>Removes a field and returns it (null when absent or null), checking its JSON type when given.</summary>
    private JsonNode? Take(string name, JsonValueKind? kind, string expected)
    {
        if (!fields.TryGetPropertyValue(name, out var node)) return null;
        fields.Remove(name);
        if (node is null) return null;
        var actual = node.GetValueKind();
        if (kind is { } required && actual != required) throw Error(name, $"expected {expected}, found {Describe(actual)}");
        return node;
    }

    // The node's text, so that the value is read the same whatever .NET type backs it.
    private static double ParseDouble(JsonNode node) =>
        double.Parse(node.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);

    private long ParseInteger(JsonNode node, string name, long min, long max)
    {
        string text = node.ToJsonString();
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) || value < min || value > max)
            throw Error(name, $"expected an integer in [{min}, {max}], found {text}");
        return value;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "a " + kind.ToString().ToLowerInvariant(),
    };
}

/// <summary>Builds a provenance object: absent (null) values are left out, a non-finite number is written as
/// null (JSON has no infinity), and the additional fields follow the known ones.</summary>
internal static class ProvenanceWriter
{
    public static void Add(JsonObject json, string name, string? value)
    {
        if (value is not null) json[name] = value;
    }

    public static void Add(JsonObject json, string name, long? value)
    {
        if (value is not null) json[name] = value.Value;
    }

    public static void Add(JsonObject json, string name, bool? value)
    {
        if (value is not null) json[name] = value.Value;
    }

    public static void Add(JsonObject json, string name, double? value)
    {
        if (value is { } v) json[name] = Number(v);
    }

    public static void Add(JsonObject json, string name, IReadOnlyList<double>? values)
    {
        if (values is not null) json[name] = new JsonArray(values.Select(Number).ToArray());
    }

    public static void Add(JsonObject json, string name, IReadOnlyList<long>? values)
    {
        if (values is not null) json[name] = new JsonArray(values.Select(v => (JsonNode?)v).ToArray());
    }

    public static JsonObject WithAdditional(JsonObject json, JsonObject additional)
    {
        foreach (var (key, value) in additional)
            if (!json.ContainsKey(key)) json[key] = value?.DeepClone();
        return json;
    }

    private static JsonNode? Number(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;
}
