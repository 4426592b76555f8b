using System.IO.Compression;
using System.Text.Json.Nodes;
using GenLu.Gfmm;
using GenLu.IO;
using GenLu.Tests.Support;
using GenLu.Trainer.Cli;

namespace GenLu.Tests;

/// <summary><c>genlu export</c> and <c>genlu import</c> run in-process: the round trip bit for bit, the reference
/// fixture converted to .npz and .safetensors by hand, and the refused inputs.</summary>
public sealed class ExportImportTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("genlu-interop-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static Task<Outcome> Run(params string[] args) => Cli.Run(args);

    private string PathOf(string name) => Path.Combine(directory, name);

    private static int[] Bits(ReadOnlySpan<float> weights) => weights.ToArray().Select(BitConverter.SingleToInt32Bits).ToArray();

    /// <summary>The fixture's tensors (name → float32 values, P x P) decoded straight from its JSON.</summary>
    private static SortedDictionary<string, float[]> FixtureTensors()
    {
        var root = JsonNode.Parse(File.ReadAllText(TestPaths.Fixture("reference-m2p4.gfmm.json")))!;
        var tensors = new SortedDictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var (name, tensor) in root["tensors"]!.AsObject())
        {
            byte[] bytes = Convert.FromBase64String(tensor!["data"]!.GetValue<string>());
            var values = new float[bytes.Length / 4];
            Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
            tensors.Add(name, values);
        }
        return tensors;
    }

    private static void CheckAgainstProbe(GfmmModel model)
    {
        var probe = JsonNode.Parse(File.ReadAllText(TestPaths.Fixture("reference-m2p4.probe.json")))!;
        float[] Field(string name) => probe[name]!.AsArray().Select(v => (float)v!.GetValue<double>()).ToArray();
        static double RelativeError(float[] expected, float[] actual) =>
            Math.Sqrt(expected.Zip(actual, (e, a) => (double)(e - a) * (e - a)).Sum()) / Math.Sqrt(expected.Sum(e => (double)e * e));
        float[] x = Field("x"), y = new float[model.N];
        model.Apply(x, y);
        RelativeError(Field("LUx"), y).ShouldBeLessThan(1e-6);
        model.L.Multiply(x, y);
        RelativeError(Field("Lx"), y).ShouldBeLessThan(1e-6);
        model.U.Multiply(x, y);
        RelativeError(Field("Ux"), y).ShouldBeLessThan(1e-6);
        model.L.MultiplyTranspose(x, y);
        RelativeError(Field("LTx"), y).ShouldBeLessThan(1e-6);
        model.U.MultiplyTranspose(x, y);
        RelativeError(Field("UTx"), y).ShouldBeLessThan(1e-6);
    }

    [Fact]
    public async Task ExportThenImportIsBitIdentical()
    {
        (await Run("factor", "--operator", "convdiff1d", "--m", "4", "--p", "2", "--out", PathOf("cd.gfmm.json"))).ExitCode.ShouldBe(0);
        var original = GfmmModel.Load(PathOf("cd.gfmm.json"));

        var exported = await Run("export", PathOf("cd.gfmm.json"), "--to", PathOf("cd.npz"));
        exported.Error.ShouldBeEmpty();
        exported.ExitCode.ShouldBe(0);

        // What numpy.load would see: the reference's names, float32 [P, P], zero roots, the scalars.
        var arrays = NpzArchive.Read(PathOf("cd.npz"));
        arrays["L.encoder.0.3.W.weight"].Type.ShouldBe(NdArrayType.Float32);
        arrays["L.encoder.0.3.W.weight"].Shape.ToArray().ShouldBe([2, 2]);
        arrays["U.bridges.1.upper_blocks.0.W.weight"].Shape.ToArray().ShouldBe([2, 2]);
        arrays["L.root_bridge.W.weight"].Values.ShouldAllBe(v => v == 0);
        arrays["scale"].Type.ShouldBe(NdArrayType.Float64);
        BitConverter.DoubleToInt64Bits(arrays["scale"].SingleValue()).ShouldBe(BitConverter.DoubleToInt64Bits(original.Scale));
        (arrays["N"].Type, arrays["N"].SingleValue(), arrays["M"].SingleValue(), arrays["P"].SingleValue()).ShouldBe((NdArrayType.Int64, 8.0, 4.0, 2.0));
        arrays.Count.ShouldBe(original.L.Layout.TensorCount + original.U.Layout.TensorCount + 2 + 4);

        var imported = await Run("import", PathOf("cd.npz"), "--out", PathOf("back.gfmm.json"));
        imported.Error.ShouldBeEmpty();
        imported.ExitCode.ShouldBe(0);
        var back = GfmmModel.Load(PathOf("back.gfmm.json"));
        (back.M, back.P, back.N).ShouldBe((original.M, original.P, original.N));
        BitConverter.DoubleToInt64Bits(back.Scale).ShouldBe(BitConverter.DoubleToInt64Bits(original.Scale));
        Bits(back.L.ToArray()).ShouldBe(Bits(original.L.ToArray()));
        Bits(back.U.ToArray()).ShouldBe(Bits(original.U.ToArray()));
        back.Provenance.Construction!.Method.ShouldBe("imported");

        // Exporting the imported model gives the same archive, byte for byte.
        (await Run("export", PathOf("back.gfmm.json"), "--to", PathOf("again.npz"))).ExitCode.ShouldBe(0);
        File.ReadAllBytes(PathOf("again.npz")).ShouldBe(File.ReadAllBytes(PathOf("cd.npz")));
    }

    [Fact]
    public async Task TheReferenceFixtureConvertedToNpzImportsAndReproducesTheReferenceOutputs()
    {
        // As numpy.savez_compressed of the state dict would write it: no scale in the file, so --scale is given.
        var entries = FixtureTensors().Select(t => (t.Key + ".npy", HandMadeArrays.Npy("<f4", "(4, 4)", false, HandMadeArrays.Float32Bytes(t.Value))));
        File.WriteAllBytes(PathOf("reference.npz"), HandMadeArrays.Npz(entries, CompressionLevel.Optimal));
        var outcome = await Run("import", PathOf("reference.npz"), "--scale", "1", "--out", PathOf("reference.gfmm.json"));
        outcome.Error.ShouldBeEmpty();
        outcome.ExitCode.ShouldBe(0);
        var model = GfmmModel.Load(PathOf("reference.gfmm.json"));
        (model.M, model.P, model.N, model.Scale).ShouldBe((2, 4, 8, 1.0));
        CheckAgainstProbe(model);
    }

    [Fact]
    public async Task TheReferenceFixtureConvertedToSafetensorsImportsAndReproducesTheReferenceOutputs()
    {
        var tensors = FixtureTensors().Select(t => (t.Key, "F32", new[] { 4, 4 }, HandMadeArrays.Float32Bytes(t.Value))).ToList();
        tensors.Add(("scale", "F64", [], HandMadeArrays.Float64Bytes([1.0])));
        File.WriteAllBytes(PathOf("reference.safetensors"), HandMadeArrays.SafeTensors(tensors, "{\"format\":\"pt\"}"));
        var outcome = await Run("import", PathOf("reference.safetensors"), "--out", PathOf("reference.gfmm.json"));
        outcome.Error.ShouldBeEmpty();
        outcome.ExitCode.ShouldBe(0);
        CheckAgainstProbe(GfmmModel.Load(PathOf("reference.gfmm.json")));
    }

    [Fact]
    public async Task AFloat64StateDictIsRoundedToFloat32AndNMayBeGiven()
    {
        var tensors = FixtureTensors().Select(t => (t.Key, "F64", new[] { 4, 4 }, HandMadeArrays.Float64Bytes(t.Value.Select(v => (double)v)))).ToList();
        File.WriteAllBytes(PathOf("double.safetensors"), HandMadeArrays.SafeTensors(tensors));
        var outcome = await Run("import", PathOf("double.safetensors"), "--scale", "2.5", "--n", "7", "--out", PathOf("double.gfmm.json"));
        outcome.Error.ShouldBeEmpty();
        outcome.ExitCode.ShouldBe(0);
        var model = GfmmModel.Load(PathOf("double.gfmm.json"));
        model.Scale.ShouldBe(2.5);
        var fixture = GfmmModel.Load(TestPaths.Fixture("reference-m2p4.gfmm.json"));
        Bits(model.L.ToArray()).ShouldBe(Bits(fixture.L.ToArray()));
        Bits(model.U.ToArray()).ShouldBe(Bits(fixture.U.ToArray()));
    }

    [Fact]
    public async Task MissingTensorsAreRefusedUnlessAllowedAsZero()
    {
        var tensors = FixtureTensors();
        tensors.Remove("U.encoder.0.1.W.weight");
        var entries = tensors.Select(t => (t.Key + ".npy", HandMadeArrays.Npy("<f4", "(4, 4)", false, HandMadeArrays.Float32Bytes(t.Value))));
        File.WriteAllBytes(PathOf("partial.npz"), HandMadeArrays.Npz(entries));

        var refused = await Run("import", PathOf("partial.npz"), "--scale", "1", "--out", PathOf("partial.gfmm.json"));
        refused.ExitCode.ShouldBe(1);
        refused.Error.ShouldStartWith("genlu import: ");
        refused.Error.ShouldContain("1 tensor is missing");
        refused.Error.ShouldContain("'U.encoder.0.1.W.weight'");
        File.Exists(PathOf("partial.gfmm.json")).ShouldBeFalse();

        var allowed = await Run("import", PathOf("partial.npz"), "--scale", "1", "--allow-missing-zero", "--out", PathOf("partial.gfmm.json"));
        allowed.ExitCode.ShouldBe(0);
        var model = GfmmModel.Load(PathOf("partial.gfmm.json"));
        // Zero, hence not even stored once loaded.
        model.U.IsStored(model.U.Layout.TensorIndexByName()["encoder.0.1.W.weight"]).ShouldBeFalse();
    }

    public static TheoryData<string, string> ImportErrors => new()
    {
        { "no-scale", "has no 'scale'" },
        { "scale-disagrees", "records scale 1" },
        { "n-disagrees", "records N = 8" },
        { "wrong-shape", "every tensor must be (4, 4)" },
        { "unexpected", "unexpected tensor 'L.extra.W.weight'" },
        { "nonzero-root", "must be identically zero" },
        { "nan", "NaN" },
        { "integer-tensor", "holds integers" },
        { "bad-m", "not a GFMM shape" },
        { "unknown-extension", "unknown extension '.pt'" },
        { "out-name", "must end in .gfmm.json" },
        { "missing-file", "does not exist" },
    };

    [Theory]
    [MemberData(nameof(ImportErrors))]
    public async Task BadImportsAreOneLineWithExitCode1AndNoModelFile(string @case, string expected)
    {
        var tensors = FixtureTensors();
        var npy = tensors.ToDictionary(t => t.Key, t => HandMadeArrays.Npy("<f4", "(4, 4)", false, HandMadeArrays.Float32Bytes(t.Value)));
        var scalars = new Dictionary<string, byte[]> { ["scale"] = HandMadeArrays.Float64Npy("()", false, 1.0), ["N"] = HandMadeArrays.Npy("<i8", "()", false, HandMadeArrays.Int64Bytes([8])) };
        string[] extra = [];
        switch (@case)
        {
            case "no-scale": scalars.Remove("scale"); break;
            case "scale-disagrees": extra = ["--scale", "2"]; break;
            case "n-disagrees": extra = ["--n", "5"]; break;
            case "wrong-shape": npy["L.decoder.0.0.W.weight"] = HandMadeArrays.Npy("<f4", "(2, 8)", false, HandMadeArrays.Float32Bytes(tensors["L.decoder.0.0.W.weight"])); break;
            case "unexpected": npy["L.extra.W.weight"] = npy["L.decoder.0.0.W.weight"]; break;
            case "nonzero-root": npy["U.root_bridge.W.weight"] = npy["L.decoder.0.0.W.weight"]; break;
            case "nan": npy["L.decoder.0.0.W.weight"] = HandMadeArrays.Npy("<f4", "(4, 4)", false, HandMadeArrays.Float32Bytes(Enumerable.Repeat(float.NaN, 16))); break;
            case "integer-tensor": npy["L.decoder.0.0.W.weight"] = HandMadeArrays.Npy("<i8", "(4, 4)", false, HandMadeArrays.Int64Bytes(Enumerable.Repeat(1L, 16))); break;
            case "bad-m": scalars["M"] = HandMadeArrays.Npy("<i8", "()", false, HandMadeArrays.Int64Bytes([3])); break;
        }
        var archive = HandMadeArrays.Npz(npy.Concat(scalars).Select(pair => (pair.Key + ".npy", pair.Value)));
        string input = PathOf(@case == "unknown-extension" ? "model.pt" : "model.npz");
        if (@case != "missing-file") File.WriteAllBytes(input, archive);
        string output = PathOf(@case == "out-name" ? "model.json" : "model.gfmm.json");
        string[] before = Directory.GetFiles(directory);

        var outcome = await Run(["import", input, "--out", output, .. extra]);
        outcome.ExitCode.ShouldBe(1);
        outcome.Error.ShouldStartWith("genlu import: ");
        outcome.Error.TrimEnd().ShouldNotContain('\n');
        outcome.Error.ShouldContain(expected);
        File.Exists(output).ShouldBeFalse();
        Directory.GetFiles(directory).ShouldBe(before, ignoreOrder: true);
    }

    [Fact]
    public async Task ExportRefusesANonNpzTargetAndAMissingModel()
    {
        (await Run("factor", "--operator", "laplacian1d", "--m", "2", "--p", "4", "--out", PathOf("lap.gfmm.json"))).ExitCode.ShouldBe(0);
        var wrongTarget = await Run("export", PathOf("lap.gfmm.json"), "--to", PathOf("lap.zip"));
        wrongTarget.ExitCode.ShouldBe(1);
        wrongTarget.Error.ShouldContain("must be a .npz file");
        var missing = await Run("export", PathOf("absent.gfmm.json"), "--to", PathOf("lap.npz"));
        missing.ExitCode.ShouldBe(1);
        missing.Error.ShouldStartWith("genlu export: ");
        missing.Error.ShouldContain("does not exist");
        Directory.GetFiles(directory).ShouldBe([PathOf("lap.gfmm.json")]);
    }
}
