// Shared source: compiled into GenLu.Runtime (net10.0) and GenLu.Generator (netstandard2.0).
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.CompilerServices;
#if !NETSTANDARD2_0
using System.IO;
#endif
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

    /// <summary>The most characters one .NET string holds (<c>string.Length</c>'s bound on 64-bit runtimes).</summary>
    private const int MaxStringLength = 0x3FFFFFDF;

    /// <summary>Refuses a file longer than <see cref="MaxFileBytes"/> from its length alone, before it is read.</summary>
    public static void CheckFileSize(long bytes)
    {
        if (bytes > MaxFileBytes)
            throw new GfmmFormatException(GfmmFormatError.TooLarge, "(file)", $"{bytes:N0} bytes, more than the {MaxFileBytes:N0} a weight file may have.");
    }

#if !NETSTANDARD2_0
    /// <summary>A weight file's text as one string, and nothing else of its size (see <see cref="ReadText(Stream)"/>).</summary>
    public static string ReadText(string path)
    {
        if (path is null) throw new ArgumentNullException(nameof(path));
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        return ReadText(file);
    }

    /// <summary>
    /// The text from the stream's position to its end, decoded as UTF-8 (invalid bytes become U+FFFD; a leading byte-order
    /// mark stays, and the parser skips it). A seekable stream, a file, is refused beyond <see cref="MaxFileBytes"/>
    /// from its length and read twice: once to count its characters, once to decode them into the one string of that
    /// length, so no builder or byte array of the file's size exists beside it. A stream that cannot seek, or one that
    /// starts with a UTF-16 or UTF-32 byte-order mark (read as that encoding, as a <see cref="StreamReader"/> does), is
    /// read through a <see cref="StreamReader"/>.
    /// </summary>
    public static string ReadText(Stream stream)
    {
        if (stream is null) throw new ArgumentNullException(nameof(stream));
        if (!stream.CanSeek) return ReadWithStreamReader(stream);
        long start = stream.Position;
        CheckFileSize(stream.Length - start);
        var buffer = new byte[1 << 16];
        int head = stream.ReadAtLeast(buffer.AsSpan(0, 4), 4, throwOnEndOfStream: false);
        stream.Position = start;
        if (IsUtf16Or32ByteOrderMark(buffer.AsSpan(0, head))) return ReadWithStreamReader(stream);

        var decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false).GetDecoder();
        long characters = 0;
        for (int read; (read = stream.Read(buffer)) > 0;) characters += decoder.GetCharCount(buffer.AsSpan(0, read), flush: false);
        characters += decoder.GetCharCount(ReadOnlySpan<byte>.Empty, flush: true);
        if (characters > MaxStringLength)
            throw new GfmmFormatException(GfmmFormatError.TooLarge, "(file)", $"{characters:N0} characters, more than one .NET string holds.");
        stream.Position = start;
        decoder.Reset();
        return string.Create((int)characters, (stream, buffer, decoder), static (text, state) =>
        {
            int filled = 0;
            for (int read; (read = state.stream.Read(state.buffer)) > 0;)
                filled += Decode(state.decoder, state.buffer.AsSpan(0, read), text, filled, flush: false);
            filled += Decode(state.decoder, ReadOnlySpan<byte>.Empty, text, filled, flush: true);
            if (filled != text.Length) throw ChangedWhileRead();
        });
    }

    private static int Decode(Decoder decoder, ReadOnlySpan<byte> bytes, Span<char> text, int filled, bool flush)
    {
        try
        {
            return decoder.GetChars(bytes, text.Slice(filled), flush);
        }
        catch (ArgumentException)
        {
            throw ChangedWhileRead(); // more characters than the first pass counted
        }
    }

    private static IOException ChangedWhileRead() => new("The weight file changed while it was read.");

    private static bool IsUtf16Or32ByteOrderMark(ReadOnlySpan<byte> head) =>
        head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]) || head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE])
        || head.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0xFE, 0xFF]);

    private static string ReadWithStreamReader(Stream stream)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16, leaveOpen: true);
        return reader.ReadToEnd();
    }
#endif

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
        // payload its P² numbers.
        long required = version == 1 ? (long)lowerLayout.TensorCount + upperLayout.TensorCount : 2L * m;
        if (tensors.Members!.Count < required)
            ThrowFirstMissing(tensors, lowerLayout, upperLayout, version);
        var lowerIndex = lowerLayout.TensorIndexByName();
        var upperIndex = upperLayout.TensorIndexByName();
        long payloadBytes = (long)p * p * stored.ByteSize;
        var lower = new FactorWeights<T>(lowerLayout);
        var upper = new FactorWeights<T>(upperLayout);
        var entries = new List<TensorEntry>(tensors.Members.Count);
        bool inChecksumOrder = true;
        foreach (var member in tensors.Members)
        {
            var entry = TensorEntry.Of(member.Key, member.Value, lowerIndex, upperIndex);
            if (entries.Count > 0 && string.CompareOrdinal(entries[entries.Count - 1].Name, entry.Name) >= 0) inChecksumOrder = false;
            entries.Add(entry);
            // Only a member whose data has the characters of a whole payload can be read, so only those get room.
            if (entry.Index >= 0 && HoldsPayload(member.Value, payloadBytes))
                (entry.IsLower ? lower : upper).Reserve(entry.Index);
        }
        lower.Allocate();
        upper.Allocate();

        // Tensors are validated in file order (the first defective one is reported) and decoded one at a time from the
        // text into a scratch payload, then into their place among the factor's weights. The checksum covers the
        // payloads in ordinal order of their names, the order writers use; a file in another order is hashed again
        // after it has been read, decoding each payload anew.
        using var checksum = SHA256.Create();
        byte[]? scratch = null;
        foreach (var entry in entries)
        {
            string field = "tensors[\"" + entry.Name + "\"]";
            if (!entry.IsKnown)
                throw new GfmmFormatException(GfmmFormatError.UnexpectedTensor, field, $"no tensor of that name exists for M = {m}, P = {p}.");
            byte[] payload = ReadTensorPayload(entry.Node, field, p, stored, payloadBytes, ref scratch);
            if (inChecksumOrder) checksum.TransformBlock(payload, 0, payload.Length, null, 0);
            if (entry.Index < 0)
            {
                if (!ToValues<T>(payload, field, p, stored, null, 0))
                    throw new GfmmFormatException(GfmmFormatError.RootNotZero, field, "the root edge of L and U must be identically zero.");
                continue;
            }
            var factor = entry.IsLower ? lower : upper;
            factor.Read(entry.Index, ToValues(payload, field, p, stored, factor.Values, factor.Offset(entry.Index)));
        }
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries) present.Add(entry.Name);
        CheckAllPresent("L.", lowerLayout, present, version);
        CheckAllPresent("U.", upperLayout, present, version);

        string expected = RequiredString(root, "sha256");
        if (!inChecksumOrder)
        {
            entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            foreach (var entry in entries)
            {
                byte[] payload = ReadTensorPayload(entry.Node, entry.Name, p, stored, payloadBytes, ref scratch);
                checksum.TransformBlock(payload, 0, payload.Length, null, 0);
            }
        }
        checksum.TransformFinalBlock(new byte[0], 0, 0);
        string actual = Hex(checksum.Hash!);
        if (!string.Equals(expected, actual, StringComparison.Ordinal))
            throw new GfmmFormatException(GfmmFormatError.Checksum, "sha256", $"the file says {expected} but the tensor payload hashes to {actual}: the weights were changed or damaged.");

        return new GfmmFileContent<T>(version, fileDtype, m, p, n, scale, lower.NonZeroStore(), upper.NonZeroStore(),
            operatorJson, trainingJson, metricsJson, actual);
    }

    /// <summary>A member of <c>tensors</c>: its name and value, and which tensor of L or U it is (index -1 for a root
    /// tensor, which is checked and dropped, and for a name the layout does not have).</summary>
    private readonly struct TensorEntry
    {
        private TensorEntry(string name, JsonNodeLite node, bool isKnown, bool isLower, int index)
        {
            Name = name;
            Node = node;
            IsKnown = isKnown;
            IsLower = isLower;
            Index = index;
        }

        public string Name { get; }
        public JsonNodeLite Node { get; }
        public bool IsKnown { get; }
        public bool IsLower { get; }
        public int Index { get; }

        public static TensorEntry Of(string name, JsonNodeLite node, Dictionary<string, int> lowerIndex, Dictionary<string, int> upperIndex)
        {
            bool isLower = name.StartsWith("L.", StringComparison.Ordinal);
            bool isUpper = name.StartsWith("U.", StringComparison.Ordinal);
            string local = isLower || isUpper ? name.Substring(2) : name;
            if ((isLower || isUpper) && local == "root_bridge.W.weight") return new TensorEntry(name, node, true, isLower, -1);
            int index = -1;
            bool known = (isLower && lowerIndex.TryGetValue(local, out index)) || (isUpper && upperIndex.TryGetValue(local, out index));
            return new TensorEntry(name, node, known, isLower, known ? index : -1);
        }
    }

    /// <summary>
    /// The weights of one factor as they are read: one array with a slot per tensor the file can hold (reserved before it
    /// is allocated), the slots in ascending tensor order, so the store adopts the array as it is unless a tensor read
    /// turns out to be all zeros (then the others move down and the array is cut to size).
    /// </summary>
    private sealed class FactorWeights<T>
        where T : struct, IEquatable<T>
    {
        private readonly GfmmLayout layout;
        private readonly List<int> reserved = new List<int>();
        private int[] slotOf = new int[0];
        private bool[] isZero = new bool[0];
        private bool[] isRead = new bool[0];

        public FactorWeights(GfmmLayout layout) => this.layout = layout;

        public T[] Values { get; private set; } = new T[0];

        public void Reserve(int tensor) => reserved.Add(tensor);

        public void Allocate()
        {
            reserved.Sort();
            slotOf = new int[layout.TensorCount];
            for (int t = 0; t < slotOf.Length; t++) slotOf[t] = -1;
            for (int k = 0; k < reserved.Count; k++) slotOf[reserved[k]] = k;
            isZero = new bool[reserved.Count];
            isRead = new bool[reserved.Count];
            Values = new T[(long)reserved.Count * layout.TensorSize];
        }

        /// <summary>Where tensor <paramref name="tensor"/>'s weights go; it was reserved, since its payload was read whole.</summary>
        public long Offset(int tensor) =>
            slotOf[tensor] >= 0 ? (long)slotOf[tensor] * layout.TensorSize
            : throw new InvalidOperationException("Unreachable: a payload read whole has the characters its slot was reserved for.");

        public void Read(int tensor, bool allZero)
        {
            isRead[slotOf[tensor]] = true;
            isZero[slotOf[tensor]] = allZero;
        }

        /// <summary>The tensors read, without the all-zero ones (what memory, plans and generated code leave out).</summary>
        public GfmmTensorStore<T> NonZeroStore()
        {
            int size = layout.TensorSize;
            var stored = new List<int>(reserved.Count);
            for (int k = 0; k < reserved.Count; k++)
            {
                if (!isRead[k])
                    throw new InvalidOperationException("Unreachable: every reserved tensor is read or refused.");
                if (isZero[k]) continue;
                if (stored.Count != k) Array.Copy(Values, (long)k * size, Values, (long)stored.Count * size, size);
                stored.Add(reserved[k]);
            }
            var values = Values;
            if (stored.Count != reserved.Count)
            {
                values = new T[(long)stored.Count * size];
                Array.Copy(Values, values, values.LongLength);
            }
            return GfmmTensorStore<T>.Sparse(layout, stored, values);
        }
    }

    /// <summary>Lowercase hex SHA-256 of the payloads concatenated in the given order
    /// (the format's checksum uses ordinal order of tensor names).</summary>
    public static string Sha256Hex(IEnumerable<byte[]> payloadsInOrder)
    {
        using var sha = SHA256.Create();
        foreach (var payload in payloadsInOrder) sha.TransformBlock(payload, 0, payload.Length, null, 0);
        sha.TransformFinalBlock(new byte[0], 0, 0);
        return Hex(sha.Hash!);
    }

    private static string Hex(byte[] hash)
    {
        var sb = new StringBuilder(2 * hash.Length);
        foreach (byte b in hash) sb.Append(b.ToString("x2", CultureInfo.InvariantCulture));
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

    /// <summary>Whether a member's <c>data</c> has at least the characters of a base64 payload of <paramref name="payloadBytes"/>
    /// bytes: the most a file can prove it holds before it is decoded (whitespace and escapes only add characters).</summary>
    private static bool HoldsPayload(JsonNodeLite tensor, long payloadBytes)
    {
        var data = tensor.Kind == JsonKind.Object ? tensor.Member("data") : null;
        return data is { Kind: JsonKind.String } && data.Length - 2 >= Base64Length(payloadBytes);
    }

    private static long Base64Length(long bytes) => (bytes + 2) / 3 * 4;

    /// <summary>Checks a tensor's shape and decodes its data straight from the source text into <paramref name="scratch"/>
    /// (allocated at the first payload whose text is long enough to fill it); returns the payload's bytes.</summary>
    private static byte[] ReadTensorPayload(JsonNodeLite tensor, string field, int p, IPayloadReader stored, long payloadBytes, ref byte[]? scratch)
    {
        if (tensor.Kind != JsonKind.Object) throw new GfmmFormatException(GfmmFormatError.Field, field, "a tensor must be an object with \"shape\" and \"data\".");
        var shape = tensor.Member("shape");
        if (shape is null || shape.Kind != JsonKind.Array || shape.Items!.Count != 2
            || !IsInteger(shape.Items[0], p) || !IsInteger(shape.Items[1], p))
            throw new GfmmFormatException(GfmmFormatError.Shape, field + ".shape", $"expected [{p}, {p}], found {shape?.Raw ?? "nothing"}.");
        var data = tensor.Member("data");
        if (data is null || data.Kind != JsonKind.String)
            throw new GfmmFormatException(GfmmFormatError.Field, field + ".data", "expected a base64 string.");
#if NETSTANDARD2_0
        // No span decoder here: the string of one tensor at a time (the generator reads files the compiler already holds).
        byte[] payload;
        try
        {
            payload = Convert.FromBase64String(data.Text!);
        }
        catch (FormatException)
        {
            throw new GfmmFormatException(GfmmFormatError.Base64, field + ".data", "not valid base64.");
        }
        if (payload.LongLength != payloadBytes) throw WrongByteCount(field, payload.LongLength, p, stored);
        return payload;
#else
        var chars = data.IsVerbatimString ? data.Source.AsSpan(data.Start + 1, data.Length - 2) : data.Text.AsSpan();
        if (chars.Length >= Base64Length(payloadBytes))
        {
            scratch ??= new byte[payloadBytes];
            if (Convert.TryFromBase64Chars(chars, scratch, out int written) && written == scratch.Length) return scratch;
        }
        // Not valid, or a byte count other than the payload's: decoded into a buffer of the text's size to say which.
        if (!Convert.TryFromBase64Chars(chars, new byte[chars.Length / 4 * 3 + 3], out int decoded))
            throw new GfmmFormatException(GfmmFormatError.Base64, field + ".data", "not valid base64.");
        throw WrongByteCount(field, decoded, p, stored);
#endif
    }

    private static GfmmFormatException WrongByteCount(string field, long decoded, int p, IPayloadReader stored) =>
        new(GfmmFormatError.Base64, field + ".data", $"decodes to {decoded} bytes; a {p} x {p} {stored.DtypeName} tensor has {(long)p * p * stored.ByteSize}.");

    private static bool IsInteger(JsonNodeLite node, int value) =>
        node.Kind == JsonKind.Number && node.Text == value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Checks the payload's numbers (of the file's dtype, <paramref name="stored"/>) and writes them as
    /// <typeparamref name="T"/> into <paramref name="destination"/> from <paramref name="offset"/> (when given): the same type,
    /// or float32 widened to double, so never rounded. Returns whether every number is zero (+0 or -0).</summary>
    [MethodImpl(OnePass.FullyOptimized)]
    private static bool ToValues<T>(byte[] payload, string field, int p, IPayloadReader stored, T[]? destination, long offset)
        where T : struct, IEquatable<T>
    {
        // A file read as its own dtype on a little-endian machine (nearly every read) copies each number as it is.
        if (BitConverter.IsLittleEndian && destination is float[] floats && stored.ByteSize == sizeof(float))
            return CopyValues(payload, field, p, floats, offset);
        if (BitConverter.IsLittleEndian && destination is double[] doubles && stored.ByteSize == sizeof(double))
            return CopyValues(payload, field, p, doubles, offset);
        var asked = TensorScalar<T>.Instance;
        int count = payload.Length / stored.ByteSize;
        bool allZero = true;
        for (int i = 0; i < count; i++)
        {
            double value = stored.Read(payload, i * stored.ByteSize);
            if (!(Math.Abs(value) <= MaxWeightMagnitude)) throw NotAWeight(field, p, i, value);
            T weight = asked.Round(value);
            if (!weight.Equals(default)) allZero = false;
            if (destination is not null) destination[offset + i] = weight;
        }
        return allZero;
    }

    [MethodImpl(OnePass.FullyOptimized)]
    private static bool CopyValues(byte[] payload, string field, int p, float[] destination, long offset)
    {
        bool allZero = true;
        for (int i = 0; i < payload.Length / sizeof(float); i++)
        {
            float weight = BitConverter.ToSingle(payload, i * sizeof(float));
            if (!(Math.Abs(weight) <= MaxWeightMagnitude)) throw NotAWeight(field, p, i, weight);
            allZero &= weight == 0;
            destination[offset + i] = weight;
        }
        return allZero;
    }

    [MethodImpl(OnePass.FullyOptimized)]
    private static bool CopyValues(byte[] payload, string field, int p, double[] destination, long offset)
    {
        bool allZero = true;
        for (int i = 0; i < payload.Length / sizeof(double); i++)
        {
            double weight = BitConverter.ToDouble(payload, i * sizeof(double));
            if (!(Math.Abs(weight) <= MaxWeightMagnitude)) throw NotAWeight(field, p, i, weight);
            allZero &= weight == 0;
            destination[offset + i] = weight;
        }
        return allZero;
    }

    /// <summary>NaN, an infinity, or a magnitude above <see cref="MaxWeightMagnitude"/> (the comparisons that pass for none of them).</summary>
    private static GfmmFormatException NotAWeight(string field, int p, int index, double value) =>
        new(GfmmFormatError.NonFinite, field + ".data",
            $"weight [{index / p}, {index % p}] is {value.ToString("R", CultureInfo.InvariantCulture)}; weights must be finite and at most {MaxWeightMagnitude.ToString("G2", CultureInfo.InvariantCulture)} in magnitude.");

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
