using System.Text;
using System.Text.Json.Nodes;
using GenLu.Gfmm;
using GenLu.Format;

namespace GenLu.Tests.Gfmm;

public class GfmmFileTests
{
    private static readonly string FixturePath = TestPaths.Fixture("reference-m2p4.gfmm.json");

    [Fact]
    public void Reference_fixture_loads_with_its_shape_scale_and_provenance()
    {
        var model = GfmmModel.Load(FixturePath);
        model.M.ShouldBe(2);
        model.P.ShouldBe(4);
        model.Scale.ShouldBe(1.0);
        model.Provenance.Operator!.Name.ShouldBe("laplacian1d");
        model.Provenance.Construction!.Steps.ShouldBe(50);
    }

    [Fact]
    public void Reference_fixture_tensor_is_decoded_little_endian_row_major()
    {
        // First float of L.bridges.0.diag_blocks.0: base64 "LXYFPw==" = bytes 2d 76 05 3f, little-endian.
        float expected = BitConverter.ToSingle([0x2d, 0x76, 0x05, 0x3f]);
        var model = GfmmModel.Load(FixturePath);
        model.L.Tensor(model.L.Layout.Diagonal(0))[0].ShouldBe(expected);
    }

    [Fact]
    public void Save_then_load_is_bit_exact_and_keeps_provenance()
    {
        var model = GfmmModel.Load(FixturePath);
        string path = Path.Combine(Path.GetTempPath(), $"genlu-{Guid.NewGuid():N}.gfmm.json");
        try
        {
            model.Save(path);
            var again = GfmmModel.Load(path);
            again.L.ToArray().ShouldBe(model.L.ToArray());
            again.U.ToArray().ShouldBe(model.U.ToArray());
            again.Scale.ShouldBe(model.Scale);
            again.Provenance.Construction!.ToJson().ToJsonString().ShouldBe(model.Provenance.Construction!.ToJson().ToJsonString());
            Directory.GetFiles(Path.GetDirectoryName(path)!, "." + Path.GetFileName(path) + "*.tmp").ShouldBeEmpty();
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static TheoryData<string, GfmmFormatError, string> Corruptions() => new()
    {
        { "truncate", GfmmFormatError.Truncated, "$" },
        { "format", GfmmFormatError.Format, "format" },
        { "version", GfmmFormatError.Version, "version" },
        { "dtype", GfmmFormatError.Dtype, "dtype" },
        { "M", GfmmFormatError.Shape, "M" },
        { "scale", GfmmFormatError.Scale, "scale" },
        { "shape", GfmmFormatError.Shape, "tensors[\"L.encoder.0.1.W.weight\"].shape" },
        { "base64", GfmmFormatError.Base64, "tensors[\"L.encoder.0.1.W.weight\"].data" },
        { "short", GfmmFormatError.Base64, "tensors[\"L.encoder.0.1.W.weight\"].data" },
        { "nan", GfmmFormatError.NonFinite, "tensors[\"L.encoder.0.1.W.weight\"].data" },
        { "missing", GfmmFormatError.MissingTensor, "tensors[\"L.encoder.0.1.W.weight\"]" },
        { "extra", GfmmFormatError.UnexpectedTensor, "tensors[\"L.encoder.1.0.W.weight\"]" },
        { "root", GfmmFormatError.RootNotZero, "tensors[\"L.root_bridge.W.weight\"]" },
        { "tinyroot", GfmmFormatError.RootNotZero, "tensors[\"L.root_bridge.W.weight\"]" },
        { "shapetext", GfmmFormatError.Shape, "tensors[\"L.encoder.0.1.W.weight\"].shape" },
        { "checksum", GfmmFormatError.Checksum, "sha256" },
        { "nochecksum", GfmmFormatError.Field, "sha256" },
    };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void Every_corruption_is_rejected_naming_the_field(string corruption, GfmmFormatError error, string field)
    {
        string text = File.ReadAllText(FixturePath, Encoding.UTF8);
        string corrupted = Corrupt(text, corruption);
        var e = Should.Throw<GfmmFormatException>(() => GfmmModel.Parse(corrupted));
        e.Error.ShouldBe(error);
        e.Field.ShouldBe(field);
        e.Message.ShouldContain(field);
    }

    private static string Corrupt(string text, string corruption)
    {
        const string victim = "L.encoder.0.1.W.weight";
        var root = JsonNode.Parse(text)!.AsObject();
        var tensors = root["tensors"]!.AsObject();
        var tensor = tensors[victim]!.AsObject();
        switch (corruption)
        {
            case "truncate": return text[..(text.Length / 2)];
            case "format": root["format"] = "genlu-other"; break;
            case "version": root["version"] = 3; break;
            case "dtype": root["dtype"] = "float16"; break;
            case "M": root["M"] = 3; break;
            case "scale": root["scale"] = -1.0; break;
            case "shape": tensor["shape"] = new JsonArray(4, 3); break;
            case "base64": tensor["data"] = "not base64!"; break;
            case "short": tensor["data"] = Convert.ToBase64String(new byte[60]); break;
            case "nan":
                var bytes = Convert.FromBase64String(tensor["data"]!.GetValue<string>());
                BitConverter.GetBytes(float.NaN).CopyTo(bytes, 20);
                tensor["data"] = Convert.ToBase64String(bytes);
                break;
            case "missing": tensors.Remove(victim); break;
            case "extra": tensors["L.encoder.1.0.W.weight"] = tensor.DeepClone(); break;
            case "root":
                var root16 = new byte[64];
                root16[0] = 1;
                tensors["L.root_bridge.W.weight"]!["data"] = Convert.ToBase64String(root16);
                break;
            case "tinyroot":
                // 0x00800000 is the smallest normal float (1.2e-38): not zero, though its bytes are 00 and 80.
                var tiny = new byte[64];
                tiny[2] = 0x80;
                tensors["L.root_bridge.W.weight"]!["data"] = Convert.ToBase64String(tiny);
                break;
            case "shapetext": tensor["shape"] = new JsonArray("4", "4"); break;
            case "checksum":
                var flipped = Convert.FromBase64String(tensor["data"]!.GetValue<string>());
                flipped[0] ^= 1; // a changed, still finite weight
                tensor["data"] = Convert.ToBase64String(flipped);
                break;
            case "nochecksum": root.Remove("sha256"); break;
        }
        return root.ToJsonString();
    }
}
