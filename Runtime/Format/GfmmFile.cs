// Shared source: compiled into GenLu.Runtime (net10.0) and GenLu.Generator (netstandard2.0).
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using GenLu.Structure;

namespace GenLu.Format;

/// <summary>What is wrong with a <c>*.gfmm.json</c> file (the generator maps each to a GLU diagnostic).</summary>
public enum GfmmFormatError
{
    /// <summary>Not valid JSON.</summary>
    Json,
    /// <summary>The text ends early.</summary>
    Truncated,
    /// <summary>A required field is absent or of the wrong JSON type.</summary>
    Field,
    /// <summary><c>"format"</c> is not <c>"genlu-gfmm"</c>.</summary>
    Format,
    /// <summary><c>"version"</c> is not supported.</summary>
    Version,
    /// <summary><c>"dtype"</c> is neither <c>"float32"</c> nor <c>"float64"</c>, or is <c>"float64"</c> where float32 weights are asked for.</summary>
    Dtype,
    /// <summary>M, P or a tensor shape is invalid or inconsistent.</summary>
    Shape,
    /// <summary><c>"scale"</c> is not a number in [<see cref="GfmmFile.MinScale"/>, <see cref="GfmmFile.MaxScale"/>].</summary>
    Scale,
    /// <summary>A tensor the layout needs is absent.</summary>
    MissingTensor,
    /// <summary>A tensor the layout does not have is present.</summary>
    UnexpectedTensor,
    /// <summary>A tensor's data is not valid base64 or has the wrong byte count.</summary>
    Base64,
    /// <summary>A weight is NaN or infinite, or larger in magnitude than <see cref="GfmmFile.MaxWeightMagnitude"/>.</summary>
    NonFinite,
    /// <summary>A root tensor of L or U is present and not all zeros.</summary>
    RootNotZero,
    /// <summary><c>"sha256"</c> does not match the payload.</summary>
    Checksum,
    /// <summary>The file is larger than <see cref="GfmmFile.MaxFileBytes"/>.</summary>
    TooLarge,
}

/// <summary>A <c>*.gfmm.json</c> file is malformed; <see cref="Field"/> names the offending field.</summary>
public sealed class GfmmFormatException : FormatException
{
    public GfmmFormatException(GfmmFormatError error, string field, string message)
        : base($"Invalid GFMM weight file: {field}: {message}")
    {
        Error = error;
        Field = field;
    }

    public GfmmFormatError Error { get; }

    /// <summary>JSON path of the field at fault, e.g. <c>tensors["L.encoder.0.1.W.weight"].data</c>.</summary>
    public string Field { get; }
}

/// <summary>The validated contents of a weight file: shape, order, scale, the stored tensors of L and U (all-zero
/// tensors, omitted or not, are left out) in the type <typeparamref name="T"/> they were read as, the file's own dtype
/// and the raw JSON of the optional provenance sections.</summary>
internal sealed class GfmmFileContent<T>
    where T : struct, IEquatable<T>
{
    internal GfmmFileContent(int version, GfmmDtype fileDtype, int m, int p, int n, double scale, GfmmTensorStore<T> lower, GfmmTensorStore<T> upper,
        string? operatorJson, string? trainingJson, string? metricsJson, string sha256)
    {
        Version = version;
        FileDtype = fileDtype;
        M = m;
        P = p;
        N = n;
        Scale = scale;
        Lower = lower;
        Upper = upper;
        OperatorJson = operatorJson;
        TrainingJson = trainingJson;
        MetricsJson = metricsJson;
        Sha256 = sha256;
    }

    /// <summary>The file's format version (1 or 2).</summary>
    public int Version { get; }

    /// <summary>The dtype the file stores (a float32 file read as double is widened exactly).</summary>
    public GfmmDtype FileDtype { get; }

    public int M { get; }
    public int P { get; }

    /// <summary>The operator's order (version 1 files: M · P).</summary>
    public int N { get; }

    public double Scale { get; }
    public GfmmTensorStore<T> Lower { get; }
    public GfmmTensorStore<T> Upper { get; }
    public string? OperatorJson { get; }
    public string? TrainingJson { get; }
    public string? MetricsJson { get; }

    /// <summary>Lowercase hex SHA-256 of the tensor payload (verified).</summary>
    public string Sha256 { get; }
}

/// <summary>Reads and validates the <c>genlu-gfmm</c> JSON format (documented in docs/format.md).</summary>
internal static class GfmmFile
{
    public const string FormatName = "genlu-gfmm";

    /// <summary>The version writers produce: it records N and leaves out all-zero tensors.</summary>
    public const int CurrentVersion = 2;

    /// <summary>The oldest version readers accept (N = M · P, every tensor present; the reference's exports).</summary>
    public const int OldestVersion = 1;

    /// <summary>Smallest accepted scale: solves multiply by the float <c>1/s</c> and products by <c>s</c>, which must be
    /// finite, normal floats with room to spare.</summary>
    public const double MinScale = 1e-30;

    /// <summary>Largest accepted scale (see <see cref="MinScale"/>).</summary>
    public const double MaxScale = 1e30;

    /// <summary>
    /// Largest weight file: 1 GiB. A file is one JSON text, read whole; beyond this its characters exceed what one .NET
    /// string holds. A float32 model of about 0.75 GiB of weights fits (e.g. a banded operator's N = 2²⁰ factors, 725 MB);
    /// larger ones are used in-process (the Runtime API) and cannot be written in this format version.
    /// </summary>
    public const long MaxFileBytes = 1L << 30;

    /// <summary>Largest accepted |weight|. A product chains up to 2·log2(M) + 1 tensors; weights beyond this bound
    /// overflow float on ordinary inputs, so a file holding one is refused rather than loaded into all-Inf solves.</summary>
    public const double MaxWeightMagnitude = 1e15;

    /// <summary>Parses and validates a whole float32 file; every failure is a <see cref="GfmmFormatException"/>
    /// (a float64 file too: rounding its weights to float would lose digits).</summary>
    public static GfmmFileContent<float> Parse(string json) => Read<float>(ParseJson(json));

    /// <summary>Parses and validates a whole file as weights of type <typeparamref name="T"/>: float reads float32 files
    /// only; double reads float64 files and widens float32 ones, which loses nothing. Every failure is a
    /// <see cref="GfmmFormatException"/>.</summary>
    public static GfmmFileContent<T> Parse<T>(string json)
        where T : struct, IEquatable<T> => Read<T>(ParseJson(json));

    /// <summary>The dtype a parsed file claims, or null when its <c>"dtype"</c> is absent or unknown (the full
    /// reader then reports it, after the format and version checks that come first).</summary>
    public static GfmmDtype? ClaimedDtype(JsonNodeLite root)
    {
        if (root is null) throw new ArgumentNullException(nameof(root));
        var node = root.Kind == JsonKind.Object ? root.Member("dtype") : null;
        return node is { Kind: JsonKind.String } && GfmmDtypes.TryParse(node.Text!, out var dtype) ? dtype : null;
    }

    /// <summary>The JSON tree of a file (<see cref="GfmmFormatException"/> if it is not JSON).</summary>
    public static JsonNodeLite ParseJson(string json)
    {
        if (json is null) throw new ArgumentNullException(nameof(json));
        try
        {
            return JsonLiteParser.Parse(json);
        }
        catch (JsonParseException e)
        {
            throw new GfmmFormatException(e.EndOfInput ? GfmmFormatError.Truncated : GfmmFormatError.Json, "$",
                e.EndOfInput ? "the file is truncated (" + e.Message + ")" : "not valid JSON: " + e.Message);
        }
    }

    /// <summary>Validates a parsed file and reads its weights as <typeparamref name="T"/> (see <see cref="Parse{T}"/>).</summary>
    public static GfmmFileContent<T> Read<T>(JsonNodeLite root)
        where T : struct, IEquatable<T>
    {
        if (root is null) throw new ArgumentNullException(nameof(root));
        var asked = TensorScalar<T>.Instance;
        if (root.Kind != JsonKind.Object) throw new GfmmFormatException(GfmmFormatError.Field, "$", "the top level must be a JSON object.");

        string format = RequiredString(root, "format");
        if (format != FormatName)
            throw new GfmmFormatException(GfmmFormatError.Format, "format", $"expected \"{FormatName}\", found \"{format}\".");
        var versionNode = Required(root, "version", JsonKind.Number);
        if (!int.TryParse(versionNode.Text, NumberStyles.None, CultureInfo.InvariantCulture, out int version) || version < OldestVersion || version > CurrentVersion)
            throw new GfmmFormatException(GfmmFormatError.Version, "version", $"version {versionNode.Text} is not supported; this reader supports versions {OldestVersion} and {CurrentVersion}.");
        string dtypeName = RequiredString(root, "dtype");
        if (!GfmmDtypes.TryParse(dtypeName, out var fileDtype))
            throw new GfmmFormatException(GfmmFormatError.Dtype, "dtype", $"expected \"{GfmmDtypes.Float32Name}\" or \"{GfmmDtypes.Float64Name}\", found \"{dtypeName}\".");
        if (fileDtype == GfmmDtype.Float64 && asked.Dtype == GfmmDtype.Float32)
            throw new GfmmFormatException(GfmmFormatError.Dtype, "dtype",
                $"the file holds \"{GfmmDtypes.Float64Name}\" weights, but \"{GfmmDtypes.Float32Name}\" ones were asked for: rounding them would lose digits; read it as a float64 model.");
        var stored = fileDtype == GfmmDtype.Float64 ? (IPayloadReader)new PayloadReader<double>() : new PayloadReader<float>();

        int m = RequiredInt(root, "M");
        int p = RequiredInt(root, "P");
        if (m < 2 || (m & (m - 1)) != 0)
            throw new GfmmFormatException(GfmmFormatError.Shape, "M", $"M = {m} must be a power of two >= 2.");
        if (p < 1)
            throw new GfmmFormatException(GfmmFormatError.Shape, "P", $"P = {p} must be >= 1.");
        GfmmLayout lowerLayout, upperLayout;
        try
        {
            lowerLayout = new GfmmLayout(GfmmKind.Lower, m, p);
            upperLayout = new GfmmLayout(GfmmKind.Upper, m, p);
        }
        catch (ArgumentOutOfRangeException e)
        {
            // The layout's own sentence, without .NET's "(Parameter 'p') Actual value was …" suffix.
            int suffix = e.Message.IndexOf(" (Parameter '", StringComparison.Ordinal);
            throw new GfmmFormatException(GfmmFormatError.Shape, "P", suffix < 0 ? e.Message : e.Message.Substring(0, suffix));
        }
        int n = lowerLayout.N;
        if (version >= 2)
        {
            n = RequiredInt(root, "N");
            if (n < 1 || n > lowerLayout.N)
                throw new GfmmFormatException(GfmmFormatError.Shape, "N", $"N = {n} must be in [1, M * P = {lowerLayout.N}].");
        }

        var scaleNode = Required(root, "scale", JsonKind.Number);
        double scale = double.Parse(scaleNode.Text!, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (!(scale >= MinScale && scale <= MaxScale))
            throw new GfmmFormatException(GfmmFormatError.Scale, "scale",
                $"the scale must be in [{MinScale.ToString("R", CultureInfo.InvariantCulture)}, {MaxScale.ToString("R", CultureInfo.InvariantCulture)}], found {scaleNode.Text}.");

        string? operatorJson = OptionalObject(root, "operator");
        string? trainingJson = OptionalObject(root, "training");
        string? metricsJson = OptionalObject(root, "metrics");

        var tensors = Required(root, "tensors", JsonKind.Object);
        // The header's M and P are only claims: before anything proportional to them is allocated (the name maps,
        // the weight arrays), the file must hold a member per required tensor — every tensor in version 1, the 2M
        // diagonal blocks (never omitted: a zero G_i makes its factor singular) in version 2 — and each member's
        // payload its P² floats.
        long required = version == 1 ? (long)lowerLayout.TensorCount + upperLayout.TensorCount : 2L * m;
        if (tensors.Members!.Count < required)
            ThrowFirstMissing(tensors, lowerLayout, upperLayout, version);
        var lowerIndex = lowerLayout.TensorIndexByName();
        var upperIndex = upperLayout.TensorIndexByName();
        var payloads = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        var lowerTensors = new SortedDictionary<int, T[]>();
        var upperTensors = new SortedDictionary<int, T[]>();
        foreach (var member in tensors.Members)
        {
            string name = member.Key;
            string field = "tensors[\"" + name + "\"]";
            bool isLower = name.StartsWith("L.", StringComparison.Ordinal);
            bool isUpper = name.StartsWith("U.", StringComparison.Ordinal);
            string local = isLower || isUpper ? name.Substring(2) : name;
            bool isRoot = (isLower || isUpper) && local == "root_bridge.W.weight";
            int index = -1;
            bool known = isRoot
                || (isLower && lowerIndex.TryGetValue(local, out index))
                || (isUpper && upperIndex.TryGetValue(local, out index));
            if (!known)
                throw new GfmmFormatException(GfmmFormatError.UnexpectedTensor, field, $"no tensor of that name exists for M = {m}, P = {p}.");

            byte[] payload = ReadTensorPayload(member.Value, field, p, stored);
            payloads.Add(name, payload);
            var weights = ToValues<T>(payload, field, p, stored);
            if (isRoot)
            {
                foreach (T w in weights)
                    if (!w.Equals(default)) // +0 and -0 are both zero
                        throw new GfmmFormatException(GfmmFormatError.RootNotZero, field, "the root edge of L and U must be identically zero.");
                continue;
            }
            (isLower ? lowerTensors : upperTensors).Add(index, weights);
        }
        var present = new HashSet<string>(payloads.Keys, StringComparer.Ordinal);
        CheckAllPresent("L.", lowerLayout, present, version);
        CheckAllPresent("U.", upperLayout, present, version);

        string expected = RequiredString(root, "sha256");
        string actual = Sha256Hex(payloads.Values);
        if (!string.Equals(expected, actual, StringComparison.Ordinal))
            throw new GfmmFormatException(GfmmFormatError.Checksum, "sha256", $"the file says {expected} but the tensor payload hashes to {actual}: the weights were changed or damaged.");

        return new GfmmFileContent<T>(version, fileDtype, m, p, n, scale, NonZeroStore(lowerLayout, lowerTensors), NonZeroStore(upperLayout, upperTensors),
            operatorJson, trainingJson, metricsJson, actual);
    }

    /// <summary>The tensors read, without the all-zero ones (what memory, plans and generated code leave out).</summary>
    private static GfmmTensorStore<T> NonZeroStore<T>(GfmmLayout layout, SortedDictionary<int, T[]> tensors)
        where T : struct, IEquatable<T>
    {
        var stored = new List<int>(tensors.Count);
        foreach (var tensor in tensors)
            if (Array.Exists(tensor.Value, w => !w.Equals(default))) stored.Add(tensor.Key);
        var values = new T[(long)stored.Count * layout.TensorSize];
        for (int k = 0; k < stored.Count; k++) Array.Copy(tensors[stored[k]], 0, values, (long)k * layout.TensorSize, layout.TensorSize);
        return GfmmTensorStore<T>.Sparse(layout, stored, values);
    }

    /// <summary>Lowercase hex SHA-256 of the payloads concatenated in the given order
    /// (the format's checksum uses ordinal order of tensor names).</summary>
    public static string Sha256Hex(IEnumerable<byte[]> payloadsInOrder)
    {
        using var sha = SHA256.Create();
        foreach (var payload in payloadsInOrder) sha.TransformBlock(payload, 0, payload.Length, null, 0);
        sha.TransformFinalBlock(new byte[0], 0, 0);
        var sb = new StringBuilder(64);
        foreach (byte b in sha.Hash!) sb.Append(b.ToString("x2", CultureInfo.InvariantCulture));
        return sb.ToString();
    }

    /// <summary>Little-endian float32 or float64 bytes of a P x P tensor (the format's payload encoding for <typeparamref name="T"/>).</summary>
    public static byte[] ToPayload<T>(T[] weights, int offset, int count)
        where T : struct, IEquatable<T>
    {
        if (weights is null) throw new ArgumentNullException(nameof(weights));
        if (offset < 0 || offset > weights.Length)
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"offset must be in [0, {weights.Length}].");
        if (count < 0 || count > weights.Length - offset)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"count must be in [0, {weights.Length - offset}] (weights has {weights.Length} floats from offset {offset}).");
        return TensorScalar<T>.Instance.ToBytes(weights, offset, count);
    }

    private static byte[] ReadTensorPayload(JsonNodeLite tensor, string field, int p, IPayloadReader stored)
    {
        if (tensor.Kind != JsonKind.Object) throw new GfmmFormatException(GfmmFormatError.Field, field, "a tensor must be an object with \"shape\" and \"data\".");
        var shape = tensor.Member("shape");
        if (shape is null || shape.Kind != JsonKind.Array || shape.Items!.Count != 2
            || !IsInteger(shape.Items[0], p) || !IsInteger(shape.Items[1], p))
            throw new GfmmFormatException(GfmmFormatError.Shape, field + ".shape", $"expected [{p}, {p}], found {shape?.Raw ?? "nothing"}.");
        var data = tensor.Member("data");
        if (data is null || data.Kind != JsonKind.String)
            throw new GfmmFormatException(GfmmFormatError.Field, field + ".data", "expected a base64 string.");
        byte[] payload;
        try
        {
            payload = Convert.FromBase64String(data.Text!);
        }
        catch (FormatException)
        {
            throw new GfmmFormatException(GfmmFormatError.Base64, field + ".data", "not valid base64.");
        }
        long expected = (long)p * p * stored.ByteSize;
        if (payload.Length != expected)
            throw new GfmmFormatException(GfmmFormatError.Base64, field + ".data", $"decodes to {payload.Length} bytes; a {p} x {p} {stored.DtypeName} tensor has {expected}.");
        return payload;
    }

    private static bool IsInteger(JsonNodeLite node, int value) =>
        node.Kind == JsonKind.Number && node.Text == value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The payload's numbers (of the file's dtype, <paramref name="stored"/>) as <typeparamref name="T"/>: the same
    /// type, or float32 widened to double, so never rounded.</summary>
    private static T[] ToValues<T>(byte[] payload, string field, int p, IPayloadReader stored)
        where T : struct, IEquatable<T>
    {
        var asked = TensorScalar<T>.Instance;
        var weights = new T[payload.Length / stored.ByteSize];
        for (int i = 0; i < weights.Length; i++)
        {
            double value = stored.Read(payload, i * stored.ByteSize);
            if (double.IsNaN(value) || double.IsInfinity(value) || Math.Abs(value) > MaxWeightMagnitude)
                throw new GfmmFormatException(GfmmFormatError.NonFinite, field + ".data",
                    $"weight [{i / p}, {i % p}] is {value.ToString("R", CultureInfo.InvariantCulture)}; weights must be finite and at most {MaxWeightMagnitude.ToString("G2", CultureInfo.InvariantCulture)} in magnitude.");
            weights[i] = asked.Round(value);
        }
        return weights;
    }

    /// <summary>Reads a file's numbers of one dtype as their exact double values.</summary>
    private interface IPayloadReader
    {
        int ByteSize { get; }
        string DtypeName { get; }
        double Read(byte[] payload, int offset);
    }

    private sealed class PayloadReader<TStored> : IPayloadReader
        where TStored : struct, IEquatable<TStored>
    {
        private readonly TensorScalar<TStored> scalar = TensorScalar<TStored>.Instance;
        public int ByteSize => scalar.ByteSize;
        public string DtypeName => scalar.DtypeName;
        public double Read(byte[] payload, int offset) => scalar.Widen(scalar.Read(payload, offset));
    }

    /// <summary>Names the first required tensor that is absent; called when there are fewer members than
    /// required tensors, so it stops within (member count + 1) names, whatever M the header claims.</summary>
    private static void ThrowFirstMissing(JsonNodeLite tensors, GfmmLayout lowerLayout, GfmmLayout upperLayout, int version)
    {
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in tensors.Members!) present.Add(member.Key);
        CheckAllPresent("L.", lowerLayout, present, version);
        CheckAllPresent("U.", upperLayout, present, version);
        throw new InvalidOperationException("Unreachable: fewer distinct members than required tensors leaves one absent.");
    }

    /// <summary>Version 1 needs every tensor; version 2 only the diagonal blocks (an absent tensor is zero).</summary>
    private static void CheckAllPresent(string prefix, GfmmLayout layout, HashSet<string> seen, int version)
    {
        for (int t = 0; t < layout.TensorCount; t++)
        {
            if (version >= 2 && !layout.IsDiagonal(t)) continue;
            string name = prefix + layout.TensorName(t);
            if (!seen.Contains(name))
                throw new GfmmFormatException(GfmmFormatError.MissingTensor, "tensors[\"" + name + "\"]",
                    version >= 2 ? "a diagonal block is never omitted (a zero G_i makes its factor singular)." : $"required for M = {layout.M}, P = {layout.P} but absent.");
        }
    }

    private static JsonNodeLite Required(JsonNodeLite obj, string name, JsonKind kind)
    {
        var node = obj.Member(name) ?? throw new GfmmFormatException(GfmmFormatError.Field, name, "required field is missing.");
        if (node.Kind != kind) throw new GfmmFormatException(GfmmFormatError.Field, name, $"expected a JSON {kind.ToString().ToLowerInvariant()}, found {node.Kind.ToString().ToLowerInvariant()}.");
        return node;
    }

    private static string RequiredString(JsonNodeLite obj, string name) => Required(obj, name, JsonKind.String).Text!;

    private static int RequiredInt(JsonNodeLite obj, string name)
    {
        string text = Required(obj, name, JsonKind.Number).Text!;
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
            throw new GfmmFormatException(GfmmFormatError.Shape, name, $"expected an integer, found {text}.");
        return value;
    }

    private static string? OptionalObject(JsonNodeLite obj, string name)
    {
        var node = obj.Member(name);
        if (node is null || node.Kind == JsonKind.Null) return null;
        if (node.Kind != JsonKind.Object) throw new GfmmFormatException(GfmmFormatError.Field, name, "expected a JSON object.");
        return node.Raw;
    }
}
