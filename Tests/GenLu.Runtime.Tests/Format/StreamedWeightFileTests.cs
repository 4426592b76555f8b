using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GenLu.Format;
using GenLu.Gfmm;
using GenLu.Structure;
using GenLu.Tests.IO;
using GenLu.Tests.Support;

namespace GenLu.Tests.Format;

/// <summary>
/// The streamed writer against the format's documented layout written whole by System.Text.Json, its atomicity, and the
/// reader that decodes from offsets into the one source text: escapes, base64 as <see cref="Convert.FromBase64String"/>
/// reads it, members in any order, truncation, the text's encodings, and memory of about one copy of the file.
/// </summary>
[Collection(AllocationMeasurement.Name)]
public sealed class StreamedWeightFileTests
{
    // A tensor of P = 112 float32 (50,176 bytes) or P = 80 float64 (51,200 bytes) spans two base64 segments of the writer.
    [Theory]
    [InlineData(GfmmDtype.Float32, 112)]
    [InlineData(GfmmDtype.Float64, 80)]
    [InlineData(GfmmDtype.Float32, 3)]
    public void Save_to_a_path_and_to_a_stream_and_ToUtf8Json_are_the_documented_bytes(GfmmDtype dtype, int p)
    {
        var model = ModelWithZeroTensors(dtype, p);
        byte[] expected = dtype == GfmmDtype.Float64 ? DocumentedBytes<double>(model) : DocumentedBytes<float>(model);

        var stream = new MemoryStream();
        model.Save(stream);
        stream.ToArray().ShouldBe(expected);
        model.ToUtf8Json().ShouldBe(expected);
        string path = TemporaryPath();
        try
        {
            model.Save(path);
            File.ReadAllBytes(path).ShouldBe(expected);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_save_that_fails_after_it_began_leaves_the_existing_file_and_no_temporary_file()
    {
        string path = TemporaryPath();
        try
        {
            var model = GfmmRandom.WellConditioned(4, 3, seed: 7);
            model.Save(path);
            byte[] before = File.ReadAllBytes(path);
            // A NaN kept among a section's other fields is no JSON number: the writer fails in the provenance, after the
            // temporary file was created and the header written.
            var unwritable = model.WithProvenance(new GfmmProvenance
            {
                Operator = new OperatorProvenance { Name = "unwritable", AdditionalFields = new JsonObject { ["note"] = double.NaN } },
            });

            Should.Throw<ArgumentException>(() => unwritable.Save(path));

            File.ReadAllBytes(path).ShouldBe(before);
            TemporaryFilesOf(path).ShouldBeEmpty();
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_save_whose_move_fails_removes_its_temporary_file_and_leaves_the_target()
    {
        string directory = TemporaryPath();
        Directory.CreateDirectory(directory);
        try
        {
            Should.Throw<IOException>(() => GfmmRandom.WellConditioned(4, 3, seed: 7).Save(directory));
            Directory.Exists(directory).ShouldBeTrue();
            Directory.EnumerateFileSystemEntries(directory).ShouldBeEmpty();
            TemporaryFilesOf(directory).ShouldBeEmpty();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Strings_with_escapes_decode_as_System_Text_Json_decodes_them()
    {
        string json = """
            {"plain":"abc","quote\"key":"x\"y","all":"\\ \/ \b \f \n \r \t \u00e9\u00E9 \ud83d\ude00 end",
             "\u0061lpha":1,"mixed":"run\nrun\u0041run","empty":"","arr":["\u005b",-1.5e+3,true,false,null]}
            """;
        var root = JsonLiteParser.Parse(json);
        using var reference = JsonDocument.Parse(json);

        foreach (var property in reference.RootElement.EnumerateObject())
        {
            var node = root.Member(property.Name).ShouldNotBeNull(property.Name);
            node.Raw.ShouldBe(property.Value.GetRawText());
            if (property.Value.ValueKind == JsonValueKind.String)
            {
                node.Text.ShouldBe(property.Value.GetString());
                node.IsVerbatimString.ShouldBe(property.Value.GetRawText() == "\"" + property.Value.GetString() + "\"");
            }
        }
        root.Member("quote\"key")!.IsVerbatimString.ShouldBeFalse();
        root.Member("plain")!.IsVerbatimString.ShouldBeTrue();
        var items = root.Member("arr")!.Items!;
        items[0].Text.ShouldBe("[");
        items[1].Text.ShouldBe("-1.5e+3");
        root.Raw.ShouldBe(json);
    }

    [Fact]
    public void A_name_and_its_escaped_spelling_are_the_same_duplicate_name()
    {
        var e = Should.Throw<GfmmFormatException>(() => GfmmFile.ParseJson("""{"M":2,"\u004d":3}"""));
        e.Error.ShouldBe(GfmmFormatError.Json);
        e.Message.ShouldContain("duplicate property \"M\"");
    }

    public static TheoryData<string> DataSpellings() => new()
    {
        "AACAPw==", "AAC APw==", "AACAPw= =", "\\tAACAPw==\\n", "AACA\\u0050w==", "AA\\/APw==", "AACAPx==", "AACAPw", "AACAPw=",
        "AACAPw===", "AACAPw==AAAA", "AAC*Pw==", "AA==", "AAAAAAA=", "", "====", "AACAP===",
    };

    [Theory]
    [MemberData(nameof(DataSpellings))]
    public void Tensor_data_is_read_exactly_when_Convert_FromBase64String_reads_it_to_the_payload(string spelling)
    {
        // The format's example (M = 2, P = 1) with one tensor's data spelled as given (JSON escapes included).
        string name = "L.decoder.0.0.W.weight";
        var payloads = ExamplePayloads();
        string value = JsonSerializer.Deserialize<string>("\"" + spelling + "\"")!;
        byte[]? decoded;
        try
        {
            decoded = Convert.FromBase64String(value);
        }
        catch (FormatException)
        {
            decoded = null;
        }
        if (decoded is not null) payloads[name] = decoded;
        string text = ExampleJson(payloads, new() { [name] = spelling });

        if (decoded is { Length: 4 })
        {
            var model = GfmmModel.Parse(text);
            model.L.Tensor(model.L.Layout.Decoder(0, 0))[0].ShouldBe(BitConverter.ToSingle(decoded));
        }
        else
        {
            var e = Should.Throw<GfmmFormatException>(() => GfmmModel.Parse(text));
            e.Error.ShouldBe(GfmmFormatError.Base64);
            e.Field.ShouldBe($"tensors[\"{name}\"].data");
            e.Message.ShouldContain(decoded is null ? "not valid base64" : $"decodes to {decoded.Length} bytes");
        }
    }

    [Fact]
    public void Members_in_another_order_read_the_same_weights_and_the_checksum_still_covers_them_in_name_order()
    {
        var model = GfmmRandom.WellConditioned(4, 3, seed: 11);
        var file = JsonNode.Parse(model.ToUtf8Json())!.AsObject();
        var tensors = file["tensors"]!.AsObject();
        var reversed = new JsonObject();
        foreach (var (name, tensor) in tensors.Reverse().ToList()) reversed[name] = tensor!.DeepClone();
        file["tensors"] = reversed;

        var again = GfmmModel.Parse(file.ToJsonString());
        again.L.ToArray().ShouldBe(model.L.ToArray());
        again.U.ToArray().ShouldBe(model.U.ToArray());

        // A weight changed to another valid payload is caught by the second, name-ordered pass.
        var first = reversed.First().Value!;
        byte[] payload = Convert.FromBase64String(first["data"]!.GetValue<string>());
        payload[0] ^= 1;
        first["data"] = Convert.ToBase64String(payload);
        Should.Throw<GfmmFormatException>(() => GfmmModel.Parse(file.ToJsonString())).Error.ShouldBe(GfmmFormatError.Checksum);
    }

    public static TheoryData<string, double, bool> WeightEdits() => new()
    {
        { "float32", double.NaN, false }, { "float32", double.PositiveInfinity, false }, { "float32", -1e16, false }, { "float32", -1e15, true },
        { "float32 as float64", double.NaN, false }, { "float32 as float64", double.NegativeInfinity, false }, { "float32 as float64", 1e15, true },
        { "float64", double.NaN, false }, { "float64", 1.0000000001e15, false }, { "float64", 1e15, true }, { "float64", -0.0, true },
    };

    [Theory]
    [MemberData(nameof(WeightEdits))]
    public void A_weight_beyond_the_limit_is_refused_naming_its_row_and_column_in_every_reading(string reading, double weight, bool accepted)
    {
        bool wide = reading == "float64";
        var model = GfmmRandom.WellConditioned(2, 2, seed: 9);
        if (wide) model = model.ToFloat64();
        var file = JsonNode.Parse(model.ToUtf8Json())!.AsObject();
        var tensors = file["tensors"]!.AsObject();
        string name = "L.decoder.0.1.W.weight";
        byte[] payload = Convert.FromBase64String(tensors[name]!["data"]!.GetValue<string>());
        // Entry [1, 0] of the P = 2 tensor: index 2.
        byte[] bad = wide ? BitConverter.GetBytes(weight) : BitConverter.GetBytes((float)weight);
        bad.CopyTo(payload, 2 * bad.Length);
        tensors[name]!["data"] = Convert.ToBase64String(payload);
        file["sha256"] = Convert.ToHexStringLower(SHA256.HashData(tensors.Select(t => Convert.FromBase64String(t.Value!["data"]!.GetValue<string>())).SelectMany(b => b).ToArray()));
        string text = file.ToJsonString();

        Func<object> read = reading == "float32 as float64" ? () => GfmmFile.Parse<double>(text) : () => GfmmModel.Parse(text);
        if (accepted)
        {
            read().ShouldNotBeNull();
            var loaded = GfmmModel.Parse(text);
            double stored = wide ? loaded.L.Tensor<double>(loaded.L.Layout.Decoder(0, 1))[2] : loaded.L.Tensor(loaded.L.Layout.Decoder(0, 1))[2];
            stored.ShouldBe(wide ? weight : (float)weight);
            return;
        }
        var e = Should.Throw<GfmmFormatException>(() => read());
        e.Error.ShouldBe(GfmmFormatError.NonFinite);
        e.Field.ShouldBe($"tensors[\"{name}\"].data");
        double expected = wide ? weight : (float)weight;
        e.Message.ShouldContain($"weight [1, 0] is {expected.ToString("R", System.Globalization.CultureInfo.InvariantCulture)};");
    }

    [Fact]
    public void Every_prefix_of_a_file_is_truncated()
    {
        // Escapes in a name and in the data, so prefixes also end inside a \u escape.
        string text = ExampleJson(ExamplePayloads(), new() { ["L.decoder.0.0.W.weight"] = "AACA\\u0050w==" })
            .Replace("\"operator\"", "\"oper\\u0061tor\"", StringComparison.Ordinal);
        GfmmModel.Parse(text).M.ShouldBe(2);
        for (int length = 0; length < text.Length; length++)
        {
            var e = Should.Throw<GfmmFormatException>(() => GfmmModel.Parse(text[..length]));
            e.Error.ShouldBe(GfmmFormatError.Truncated, text[..length]);
        }
    }

    [Fact]
    public void A_control_character_inside_data_is_a_JSON_error_at_its_offset()
    {
        string text = ExampleJson(ExamplePayloads(), new() { ["L.decoder.0.0.W.weight"] = "AACA\u0001Pw==" });
        var e = Should.Throw<GfmmFormatException>(() => GfmmModel.Parse(text));
        e.Error.ShouldBe(GfmmFormatError.Json);
        e.Message.ShouldContain($"control character in a string at offset {text.IndexOf('\u0001', StringComparison.Ordinal)}");
    }

    [Fact]
    public void Files_read_as_UTF_8_with_or_without_a_mark_or_as_UTF_16_with_one_give_the_same_model()
    {
        var named = GfmmRandom.WellConditioned(4, 3, seed: 5)
            .WithProvenance(new GfmmProvenance { Operator = new OperatorProvenance { Name = "é 😀 ü" } });
        byte[] utf8 = named.ToUtf8Json();
        string text = Encoding.UTF8.GetString(utf8);
        var encodings = new Dictionary<string, byte[]>
        {
            ["utf-8"] = utf8,
            ["utf-8 with a mark"] = [0xEF, 0xBB, 0xBF, .. utf8],
            ["utf-16 with a mark"] = [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(text)],
        };
        string path = TemporaryPath();
        try
        {
            foreach (var (label, bytes) in encodings)
            {
                File.WriteAllBytes(path, bytes);
                foreach (var model in new[] { GfmmModel.Load(path), GfmmModel.Load(new MemoryStream(bytes)), GfmmModel.Load(new ForwardOnlyStream(bytes)) })
                {
                    model.Provenance.Operator!.Name.ShouldBe("é 😀 ü", label);
                    model.L.ToArray().ShouldBe(named.L.ToArray(), label);
                }
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Invalid_UTF_8_bytes_read_as_Encoding_UTF8_replaces_them()
    {
        byte[] utf8 = GfmmRandom.WellConditioned(4, 3, seed: 5)
            .WithProvenance(new GfmmProvenance { Operator = new OperatorProvenance { Name = "ab" } }).ToUtf8Json();
        int at = Encoding.UTF8.GetString(utf8).IndexOf("\"ab\"", StringComparison.Ordinal) + 2; // between a and b (ASCII: bytes = chars)
        byte[] broken = [.. utf8[..at], 0xC3, 0xFF, 0x80, .. utf8[at..]];
        string expected = JsonNode.Parse(Encoding.UTF8.GetString(broken))!["operator"]!["name"]!.GetValue<string>();
        expected.ShouldContain('\uFFFD');

        GfmmModel.Load(new MemoryStream(broken)).Provenance.Operator!.Name.ShouldBe(expected);
        GfmmModel.Load(new ForwardOnlyStream(broken)).Provenance.Operator!.Name.ShouldBe(expected);
    }

    [Fact]
    public void Loading_a_file_allocates_its_text_once_and_its_weights_and_saving_it_allocates_little()
    {
        var model = GfmmRandom.WellConditioned(8, 64, seed: 3);
        string path = TemporaryPath();
        try
        {
            model.Save(path);
            long fileBytes = new FileInfo(path).Length;
            long weightBytes = model.ParameterCount * sizeof(float);

            long load = AllocationProbe.LeastBytesPerRun(() => GfmmModel.Load(path), runs: 3);
            // One UTF-16 string of the (ASCII) file, the weights, and a small remainder (the tree, names, buffers).
            load.ShouldBeLessThan(2 * fileBytes + weightBytes + (1 << 20));
            load.ShouldBeGreaterThanOrEqualTo(2 * fileBytes + weightBytes);

            // Streaming: a fraction of one file, whatever the model's size (the file is 2.1 MB).
            long save = AllocationProbe.LeastBytesPerRun(() => model.Save(path), runs: 3);
            save.ShouldBeLessThan(fileBytes / 4);
            long toStream = AllocationProbe.LeastBytesPerRun(() => model.Save(Stream.Null), runs: 3);
            toStream.ShouldBeLessThan(fileBytes / 4);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The format's "Writing" rules applied with System.Text.Json, each tensor's payload encoded whole.</summary>
    private static byte[] DocumentedBytes<T>(GfmmModel model)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var tensors = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (prefix, block) in new[] { ("L.", model.L), ("U.", model.U) })
            for (int t = 0; t < block.Layout.TensorCount; t++)
            {
                T[] weights = block.IsStored(t) ? block.Tensor<T>(t).ToArray() : new T[block.Layout.TensorSize];
                if (block.Layout.IsDiagonal(t) || weights.Any(w => w != T.Zero))
                    tensors.Add(prefix + block.Layout.TensorName(t), MemoryMarshal.AsBytes(weights.AsSpan()).ToArray());
            }
        var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("format", "genlu-gfmm");
            w.WriteNumber("version", 2);
            w.WriteNumber("M", model.M);
            w.WriteNumber("P", model.P);
            w.WriteNumber("N", model.N);
            w.WriteString("dtype", GfmmDtypes.Name(model.Dtype));
            w.WriteNumber("scale", model.Scale);
            model.Provenance.WriteTo(w);
            w.WriteStartObject("tensors");
            foreach (var (name, payload) in tensors)
            {
                w.WriteStartObject(name);
                w.WriteStartArray("shape");
                w.WriteNumberValue(model.P);
                w.WriteNumberValue(model.P);
                w.WriteEndArray();
                w.WriteBase64String("data", payload);
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteString("sha256", Convert.ToHexStringLower(SHA256.HashData(tensors.Values.SelectMany(b => b).ToArray())));
            w.WriteEndObject();
        }
        return stream.ToArray();
    }

    /// <summary>A random M = 2 model with provenance, an omitted (zero) off-diagonal tensor and a zero diagonal block.</summary>
    private static GfmmModel ModelWithZeroTensors(GfmmDtype dtype, int p)
    {
        var model = GfmmRandom.WellConditioned(2, p, seed: p);
        if (dtype == GfmmDtype.Float64) model = model.ToFloat64();
        model = model.WithProvenance(new GfmmProvenance
        {
            Operator = new OperatorProvenance { Name = "streamed", N = 2 * p },
            Metrics = new ModelMetrics { Error2 = 0.25 },
        });
        var layout = model.L.Layout;
        if (dtype == GfmmDtype.Float64)
        {
            model.L.Tensor<double>(layout.Encoder(0, 1)).Clear();
            model.U.Tensor<double>(layout.Diagonal(1)).Clear();
        }
        else
        {
            model.L.Tensor(layout.Encoder(0, 1)).Clear();
            model.U.Tensor(layout.Diagonal(1)).Clear();
        }
        return model;
    }

    /// <summary>The payloads of docs/format.md's example (M = 2, P = 1), by name.</summary>
    private static SortedDictionary<string, byte[]> ExamplePayloads()
    {
        var values = new Dictionary<string, float>
        {
            ["L.bridges.0.diag_blocks.0.W.weight"] = 2, ["L.bridges.0.diag_blocks.1.W.weight"] = 1.5f, ["L.bridges.0.lower_blocks.0.W.weight"] = -1,
            ["L.decoder.0.0.W.weight"] = 1, ["L.encoder.0.0.W.weight"] = 0.5f,
            ["U.bridges.0.diag_blocks.0.W.weight"] = 4, ["U.bridges.0.diag_blocks.1.W.weight"] = 3, ["U.bridges.0.upper_blocks.0.W.weight"] = 0.5f,
        };
        return new SortedDictionary<string, byte[]>(values.ToDictionary(v => v.Key, v => BitConverter.GetBytes(v.Value)), StringComparer.Ordinal);
    }

    /// <summary>A version 2 file of the payloads (checksum over them in name order), with some data written as given.</summary>
    private static string ExampleJson(SortedDictionary<string, byte[]> payloads, Dictionary<string, string> spelledData)
    {
        var text = new StringBuilder("""{"format":"genlu-gfmm","version":2,"M":2,"P":1,"N":2,"dtype":"float32","scale":1,"operator":{"name":"example"},"tensors":{""");
        foreach (var (name, payload) in payloads)
        {
            string data = spelledData.TryGetValue(name, out var spelled) ? spelled : Convert.ToBase64String(payload);
            text.Append('"').Append(name).Append("\":{\"shape\":[1,1],\"data\":\"").Append(data).Append("\"},");
        }
        text.Length--;
        string sha = Convert.ToHexStringLower(SHA256.HashData(payloads.Values.SelectMany(b => b).ToArray()));
        return text.Append("},\"sha256\":\"").Append(sha).Append("\"}").ToString();
    }

    private static string TemporaryPath() => Path.Combine(Path.GetTempPath(), $"genlu-streamed-{Guid.NewGuid():N}.gfmm.json");

    private static string[] TemporaryFilesOf(string path) =>
        Directory.GetFiles(Path.GetDirectoryName(path)!, "." + Path.GetFileName(path) + "*.tmp");

    /// <summary>A stream that cannot seek (a pipe or a network stream), over fixed bytes.</summary>
    private sealed class ForwardOnlyStream(byte[] bytes) : Stream
    {
        private readonly MemoryStream inner = new(bytes);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
