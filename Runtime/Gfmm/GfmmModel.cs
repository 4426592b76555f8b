using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using GenLu.Format;
using GenLu.Structure;
using GenLu.IO;

namespace GenLu.Gfmm;

/// <summary>
/// A learned (or constructed) factorization <c>A ≈ s · L · U</c>: a lower and an upper GFMM block of the
/// same shape and number type (<see cref="Dtype"/>: float32 or float64) and the scale <c>s</c> the operator was divided by.
/// Loads and saves the <c>*.gfmm.json</c> format (docs/format.md).
/// </summary>
public sealed partial class GfmmModel
{
    /// <summary>
    /// A model from its two blocks (same shape and dtype), its scale, optional provenance and the operator's order
    /// <paramref name="n"/> (default <c>M · P</c>). With <c>n &lt; M · P</c> the blocks factor the padded operator
    /// <c>A ⊕ I</c>: every public vector of the model and its solvers has length <c>n</c>.
    /// </summary>
    public GfmmModel(GfmmBlock lower, GfmmBlock upper, double scale, GfmmProvenance? provenance = null, int? n = null)
    {
        ArgumentNullException.ThrowIfNull(lower);
        ArgumentNullException.ThrowIfNull(upper);
        if (lower.Kind != GfmmKind.Lower) throw new ArgumentException($"L must be a Lower block, not {lower.Kind}.", nameof(lower));
        if (upper.Kind != GfmmKind.Upper) throw new ArgumentException($"U must be an Upper block, not {upper.Kind}.", nameof(upper));
        if (lower.M != upper.M || lower.P != upper.P)
            throw new ArgumentException($"L (M = {lower.M}, P = {lower.P}) and U (M = {upper.M}, P = {upper.P}) differ in shape.", nameof(upper));
        if (lower.Dtype != upper.Dtype)
            throw new ArgumentException($"L is {GfmmDtypes.Name(lower.Dtype)} but U is {GfmmDtypes.Name(upper.Dtype)}; a model's blocks share one dtype.", nameof(upper));
        if (!(scale >= GfmmFile.MinScale && scale <= GfmmFile.MaxScale))
            throw new ArgumentOutOfRangeException(nameof(scale), scale, $"The scale must be in [{GfmmFile.MinScale:R}, {GfmmFile.MaxScale:R}] (docs/format.md, \"Limits\").");
        int order = n ?? lower.N;
        if (order < 1 || order > lower.N)
            throw new ArgumentOutOfRangeException(nameof(n), order, $"The order N must be in [1, M · P = {lower.N}].");
        L = lower;
        U = upper;
        N = order;
        Scale = scale;
        Provenance = provenance ?? GfmmProvenance.None;
    }

    /// <summary>The lower block L.</summary>
    public GfmmBlock L { get; }

    /// <summary>The upper block U.</summary>
    public GfmmBlock U { get; }

    /// <summary>The scale <c>s</c> of <c>A ≈ s · L · U</c>.</summary>
    public double Scale { get; }

    /// <summary>Where the model came from (<see cref="GfmmProvenance.None"/> for a model built in code).</summary>
    public GfmmProvenance Provenance { get; }

    /// <summary>The number type of the weights and of every vector the model and its solver take: float32 (<see cref="float"/>) or float64 (<see cref="double"/>).</summary>
    public GfmmDtype Dtype => L.Dtype;

    /// <summary>Number of leaf blocks.</summary>
    public int M => L.M;

    /// <summary>Leaf block size.</summary>
    public int P => L.P;

    /// <summary>The operator's order <c>N ≤ M · P</c>: the length of every vector the model takes or returns.</summary>
    public int N { get; }

    /// <summary>The blocks' order <c>M · P</c> (at least <see cref="N"/>; the rows beyond N are the padding's identity).</summary>
    public int PaddedN => L.N;

    /// <summary>Stored numbers of L and U together (tensors that are zero are not stored; the dense matrix has N²).</summary>
    public long ParameterCount => L.StoredWeightCount + U.StoredWeightCount;

    /// <summary>The same blocks and scale with other provenance (the blocks are shared, not copied).</summary>
    public GfmmModel WithProvenance(GfmmProvenance provenance) => new(L, U, Scale, provenance, N);

    /// <summary>A model with every weight zero (for tests and constructions that fill it in).</summary>
    public static GfmmModel Zero(int m, int p, double scale = 1, GfmmDtype dtype = GfmmDtype.Float32) =>
        new(GfmmBlock.Zero(GfmmKind.Lower, m, p, dtype), GfmmBlock.Zero(GfmmKind.Upper, m, p, dtype), scale);

    /// <summary>The same model in float64 (exact: every float is a double), or this model if it is float64 already. Its
    /// solver then factors the <c>G_i</c> and solves in double.</summary>
    public GfmmModel ToFloat64() => Dtype == GfmmDtype.Float64 ? this : new(L.ToFloat64(), U.ToFloat64(), Scale, Provenance, N);

    /// <summary>Reads and fully validates a weight file (<see cref="GfmmFormatException"/> on any defect); the model has the file's dtype.</summary>
    public static GfmmModel Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Parse(GfmmFile.ReadText(path));
    }

    /// <summary>Reads and fully validates a weight file from the current position of <paramref name="stream"/> to its
    /// end (<see cref="GfmmFormatException"/> on any defect). The stream is left open.</summary>
    public static GfmmModel Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return Parse(GfmmFile.ReadText(stream));
    }

    /// <summary>
    /// Like <see cref="Load(string)"/>, but a missing, unreadable or malformed file returns false with the
    /// reason in <paramref name="error"/> instead of throwing. A null or empty path still throws.
    /// </summary>
    public static bool TryLoad(string path, [NotNullWhen(true)] out GfmmModel? model, [NotNullWhen(false)] out string? error)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return TryRead(() => Load(path), out model, out error);
    }

    /// <summary>
    /// Like <see cref="Load(Stream)"/>, but an unreadable or malformed stream returns false with the reason
    /// in <paramref name="error"/> instead of throwing. A null stream still throws.
    /// </summary>
    public static bool TryLoad(Stream stream, [NotNullWhen(true)] out GfmmModel? model, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return TryRead(() => Load(stream), out model, out error);
    }

    /// <summary>Parses and fully validates the JSON text of a weight file; the model has the file's dtype (<c>"float32"</c> or <c>"float64"</c>).</summary>
    public static GfmmModel Parse(string json)
    {
        var root = GfmmFile.ParseJson(json);
        return GfmmFile.ClaimedDtype(root) == GfmmDtype.Float64 ? FromContent(GfmmFile.Read<double>(root)) : FromContent(GfmmFile.Read<float>(root));
    }

    private static GfmmModel FromContent<T>(GfmmFileContent<T> content)
        where T : struct, IEquatable<T>
    {
        var provenance = GfmmProvenance.Parse(content.OperatorJson, content.TrainingJson, content.MetricsJson);
        return new GfmmModel(GfmmBlock.Adopt(content.Lower), GfmmBlock.Adopt(content.Upper), content.Scale, provenance, content.N);
    }

    private static bool TryRead(Func<GfmmModel> read, [NotNullWhen(true)] out GfmmModel? model, [NotNullWhen(false)] out string? error)
    {
        try
        {
            model = read();
            error = null;
            return true;
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            // GfmmFormatException is a FormatException; NotSupportedException: a stream that cannot be read.
            model = null;
            error = e.Message;
            return false;
        }
    }

    /// <summary>Writes the file's bytes (those of <see cref="ToUtf8Json"/>) to <paramref name="stream"/>, which is left open. The
    /// JSON is streamed tensor by tensor, so nothing of the file's size is held in memory; a model the format cannot hold
    /// is refused (<see cref="InvalidOperationException"/>) before anything is written.</summary>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        WriteJson(stream);
    }

    /// <summary>Writes the model atomically (<see cref="MatrixFiles.WriteAtomically"/>): streamed into a temporary file beside
    /// <paramref name="path"/>, then a move; on any failure the temporary file is removed and an existing file at
    /// <paramref name="path"/> is left as it was.</summary>
    /// <remarks>Not flushed to disk before the move: a model is a rebuildable output of hundreds of MB at large N, and the
    /// disk wait measured 0.05–0.4 s for the 147 MB of N = 65,536 beside a 0.6 s build (docs/benchmarks/construction.md).</remarks>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        MatrixFiles.WriteAtomically(path, WriteJson, EstimatedFileBytes, flushToDisk: false);
    }

    /// <summary>The file's bytes: UTF-8 JSON of the current format version, tensors of the model's dtype in ordinal order of
    /// their names; the tensors that are all zeros are left out (a reader takes an absent tensor as zero).</summary>
    /// <exception cref="InvalidOperationException">A weight is not finite or exceeds the format's magnitude limit (the reader would refuse the file).</exception>
    public byte[] ToUtf8Json()
    {
        using var stream = new MemoryStream();
        WriteJson(stream);
        return stream.ToArray();
    }

    /// <summary>Bytes of a tensor's payload encoded per base64 segment (a multiple of 3, so every segment but the last is
    /// whole base64 quanta) and bytes the JSON writer may hold before they go to the stream.</summary>
    private const int Base64SegmentBytes = 3 << 14, FlushBytes = 1 << 16;

    private void WriteJson(Stream stream)
    {
        if (Dtype == GfmmDtype.Float64)
            WriteJson<double>(stream);
        else
            WriteJson<float>(stream);
    }

    private void WriteJson<T>(Stream stream)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var tensors = SavedTensors<T>();
        var zeros = new T[L.Layout.TensorSize];
        // The checksum of the payloads (the same bytes in the same order) is computed on another core while this one
        // encodes and writes them (measured at N = 65,536, 147 MB, four interleaved pairs: 0.30–0.35 s a save against
        // 0.36 s with the checksum on the writing thread).
        var checksum = Task.Run(() =>
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            foreach (var (_, block, tensor) in tensors)
                sha.AppendData(Payload(tensor >= 0 ? block.Tensor<T>(tensor) : zeros));
            return Convert.ToHexStringLower(sha.GetHashAndReset());
        });
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false });
        w.WriteStartObject();
        w.WriteString("format", GfmmFile.FormatName);
        w.WriteNumber("version", GfmmFile.CurrentVersion);
        w.WriteNumber("M", M);
        w.WriteNumber("P", P);
        w.WriteNumber("N", N);
        w.WriteString("dtype", GfmmDtypes.Name(Dtype));
        w.WriteNumber("scale", Scale);
        Provenance.WriteTo(w);
        w.WriteStartObject("tensors");
        foreach (var (name, block, tensor) in tensors)
        {
            var payload = Payload(tensor >= 0 ? block.Tensor<T>(tensor) : zeros);
            w.WriteStartObject(name);
            w.WriteStartArray("shape");
            w.WriteNumberValue(P);
            w.WriteNumberValue(P);
            w.WriteEndArray();
            w.WritePropertyName("data");
            for (int at = 0; at < payload.Length; at += Base64SegmentBytes)
            {
                int length = Math.Min(Base64SegmentBytes, payload.Length - at);
                w.WriteBase64StringSegment(payload.Slice(at, length), isFinalSegment: at + length == payload.Length);
                if (w.BytesPending >= FlushBytes) w.Flush();
            }
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteString("sha256", checksum.GetAwaiter().GetResult());
        w.WriteEndObject();
        w.Flush();
    }

    /// <summary>A tensor's bytes as the file holds them (little-endian).</summary>
    private static ReadOnlySpan<byte> Payload<T>(ReadOnlySpan<T> weights)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        BitConverter.IsLittleEndian ? MemoryMarshal.AsBytes(weights) : GfmmFile.ToPayload(weights.ToArray(), 0, weights.Length);

    /// <summary>About the length of the model's file, from above but for the header: base64 of each stored tensor plus its
    /// name and shape (under 100 bytes).</summary>
    private long EstimatedFileBytes =>
        (L.StoredTensorCount + U.StoredTensorCount) * (((((Dtype == GfmmDtype.Float64 ? 8L : 4L) * P * P) + 2) / 3 * 4) + 100);

    /// <summary>What the file holds, in ordinal order of the names (the file's and the checksum's order): every tensor L and
    /// U store that is not all zeros, and every diagonal block, which the format never omits (a zero G_i is singular; one
    /// that is not stored is written as zeros, tensor index -1). Refuses the model before anything is written when a weight
    /// is one the reader would refuse or the file would exceed the format's size.</summary>
    private List<(string Name, GfmmBlock Block, int Tensor)> SavedTensors<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long estimate = EstimatedFileBytes;
        if (estimate > GfmmFile.MaxFileBytes)
            throw new InvalidOperationException(
                $"the model's weight file would be about {estimate / 1e9:0.0} GB, above the {GfmmFile.MaxFileBytes >> 30} GiB a weight file of this format version can hold (docs/format.md); use it in-process through the Runtime API.");

        var saved = new List<(string Name, GfmmBlock Block, int Tensor)>();
        foreach (var (prefix, block) in new[] { ("L.", L), ("U.", U) })
            for (int t = 0; t < block.Layout.TensorCount; t++)
            {
                bool nonZero = false;
                if (block.IsStored(t))
                {
                    // One vectorized pass: the largest magnitude is NaN when any weight is, so it alone decides both checks.
                    var weights = block.Tensor<T>(t);
                    T largest = Kernels.Level1.MaxMagnitude(weights), bound = T.CreateChecked(GfmmFile.MaxWeightMagnitude);
                    if (!(largest <= bound))
                    {
                        T refused = weights[weights.IndexOfAnyExceptInRange(-bound, bound)];
                        throw new InvalidOperationException($"Tensor {prefix}{block.Layout.TensorName(t)} holds the weight {refused:R}; weights must be finite and at most {GfmmFile.MaxWeightMagnitude:G2} in magnitude to be saved.");
                    }

                    nonZero = largest != T.Zero;
                }

                if (nonZero || block.Layout.IsDiagonal(t)) saved.Add((prefix + block.Layout.TensorName(t), block, nonZero ? t : -1));
            }
        saved.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return saved;
    }
}
