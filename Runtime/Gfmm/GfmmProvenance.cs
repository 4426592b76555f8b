using System.Text.Json.Nodes;

namespace GenLu.Gfmm;

/// <summary>
/// Optional provenance kept in a weight file: which operator (<c>name</c>, <c>N</c>, parameters), how it
/// was obtained (<c>method</c>, <c>steps</c>, <c>seed</c>, <c>final_loss</c>, <c>seconds</c>, …) and
/// measured <c>metrics</c>. Free-form JSON objects so that new fields round-trip untouched.
/// </summary>
public sealed class GfmmProvenance
{
    public static GfmmProvenance None => new();

    public JsonObject? Operator { get; init; }
    public JsonObject? Training { get; init; }
    public JsonObject? Metrics { get; init; }

    public GfmmProvenance Clone() => new()
    {
        Operator = (JsonObject?)Operator?.DeepClone(),
        Training = (JsonObject?)Training?.DeepClone(),
        Metrics = (JsonObject?)Metrics?.DeepClone(),
    };
}
