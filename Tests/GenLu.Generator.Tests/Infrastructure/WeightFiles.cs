using System.Text.Json.Nodes;

using Microsoft.CodeAnalysis;

namespace GenLu.Tests.Infrastructure;

/// <summary>Valid weight files and deliberately damaged variants of them.</summary>
internal static class WeightFiles
{
    public const string ModelPath = "models/model.gfmm.json";
    public const string FullPath = "/project/src/models/model.gfmm.json";

    public static string Valid(int m = 2, int p = 2, ulong seed = 1) => TestModels.Json(TestModels.WellConditioned(m, p, seed));

    public static AdditionalText File(string json, string path = FullPath) => new InMemoryAdditionalText(path, json);

    /// <summary>A valid file edited as a JSON tree (the checksum is left as it was unless the edit changes it).</summary>
    public static string Edit(Action<JsonObject> edit, string? json = null)
    {
        var root = JsonNode.Parse(json ?? Valid())!.AsObject();
        edit(root);
        return root.ToJsonString();
    }

    public static string Base64Floats(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        return Convert.ToBase64String(bytes);
    }
}
