using System.Buffers.Binary;
using System.Text.Json;

namespace GenLu.IO;

/// <summary>The tensors of a safetensors file by name, and its optional <c>__metadata__</c> strings.</summary>
public sealed record SafeTensorsContent(IReadOnlyDictionary<string, NdArray> Tensors, IReadOnlyDictionary<string, string> Metadata);

/// <summary>
/// Reads the safetensors format (Hugging Face): an 8-byte little-endian header length, a UTF-8 JSON header naming
/// every tensor's <c>dtype</c>, <c>shape</c> and <c>data_offsets</c> <c>[begin, end)</c> into the byte buffer that follows,
/// and that buffer. Tensors of rank 0–2 and dtype <c>F32</c>, <c>F64</c> or <c>I64</c> are read; NaN and infinities are
/// rejected. The header length, every offset and every shape are checked against the file's length (and the buffer must
/// be covered by the tensors without gaps or overlaps, as the format requires) before any tensor is allocated.
/// </summary>
public static class SafeTensors
{
    /// <summary>The largest header read: the format's own limit of 100 MB.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private const string MetadataKey = "__metadata__";

    /// <summary>Reads the file at <paramref name="path"/>.</summary>
    /// <exception cref="MatrixFormatException">The file is malformed or holds an unsupported tensor.</exception>
    public static SafeTensorsContent Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Read(stream, path);
    }

    /// <summary>Reads a safetensors file from a seekable <paramref name="stream"/>, from its current position to its end.</summary>
    /// <exception cref="ArgumentException">The stream cannot seek (its length bounds what the header may declare).</exception>
    /// <exception cref="MatrixFormatException">The data is malformed or holds an unsupported tensor.</exception>
    public static SafeTensorsContent Read(Stream stream, string source = "safetensors input")
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek) throw new ArgumentException("Reading safetensors needs a seekable stream: its length bounds the header's sizes.", nameof(stream));
        long available = stream.Length - stream.Position;
        Span<byte> lengthField = stackalloc byte[8];
        if (stream.ReadAtLeast(lengthField, 8, throwOnEndOfStream: false) < 8)
            throw new MatrixFormatException($"{source}: truncated file, it ends inside the 8-byte header length.");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthField);
        if (headerLength > (ulong)(available - 8))
            throw new MatrixFormatException($"{source}: bad header length {headerLength}: only {available - 8:N0} bytes follow the length field.");
        if (headerLength > MaxHeaderBytes)
            throw new MatrixFormatException($"{source}: bad header length {headerLength}: more than the format's limit of {MaxHeaderBytes:N0} bytes.");
        if (headerLength < 2)
            throw new MatrixFormatException($"{source}: bad header length {headerLength}: a JSON object needs at least 2 bytes.");

        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        long bufferStart = stream.Position;
        long bufferLength = available - 8 - (long)headerLength;
        var (entries, metadata) = ParseHeader(headerBytes, bufferLength, source);

        var tensors = new SortedDictionary<string, NdArray>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            stream.Position = bufferStart + entry.Begin;
            var bytes = new byte[entry.End - entry.Begin];
            stream.ReadExactly(bytes);
            tensors.Add(entry.Name, Decode(entry, bytes, source));
        }

        return new SafeTensorsContent(tensors, metadata);
    }

    private sealed record TensorEntry(string Name, NdArrayType Type, int[] Shape, long Begin, long End);

    private static (List<TensorEntry> Entries, Dictionary<string, string> Metadata) ParseHeader(byte[] headerBytes, long bufferLength, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(headerBytes);
        }
        catch (JsonException e)
        {
            throw new MatrixFormatException($"{source}: the header is not valid JSON ({e.Message}).", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new MatrixFormatException($"{source}: the header must be a JSON object.");
            var entries = new List<TensorEntry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var member in root.EnumerateObject())
            {
                if (!names.Add(member.Name)) throw new MatrixFormatException($"{source}: the header names '{member.Name}' twice.");
                if (member.Name == MetadataKey)
                {
                    if (member.Value.ValueKind != JsonValueKind.Object) throw new MatrixFormatException($"{source}: {MetadataKey} must be an object of strings.");
                    foreach (var item in member.Value.EnumerateObject())
                    {
                        if (item.Value.ValueKind != JsonValueKind.String || !metadata.TryAdd(item.Name, item.Value.GetString()!))
                            throw new MatrixFormatException($"{source}: {MetadataKey}[\"{item.Name}\"] must be a string, given once.");
                    }

                    continue;
                }

                entries.Add(ParseEntry(member.Name, member.Value, bufferLength, source));
            }

            // The format requires the tensors to cover the buffer exactly: sorted by offset, each starts where the last ended.
            entries.Sort((a, b) => a.Begin.CompareTo(b.Begin));
            long expected = 0;
            foreach (var entry in entries)
            {
                if (entry.Begin != expected)
                {
                    throw new MatrixFormatException(entry.Begin < expected
                        ? $"{source}: tensor '{entry.Name}' overlaps the one before it (it starts at byte {entry.Begin}, the previous ends at {expected})."
                        : $"{source}: bytes {expected}–{entry.Begin} of the buffer belong to no tensor (before '{entry.Name}').");
                }

                expected = entry.End;
            }

            if (expected != bufferLength)
                throw new MatrixFormatException($"{source}: the tensors cover {expected:N0} bytes, but the buffer after the header has {bufferLength:N0}.");
            return (entries, metadata);
        }
    }

    private static TensorEntry ParseEntry(string name, JsonElement value, long bufferLength, string source)
    {
        string where = $"{source}: tensor '{name}'";
        if (value.ValueKind != JsonValueKind.Object) throw new MatrixFormatException($"{where} must be an object with dtype, shape and data_offsets.");
        string? dtype = null;
        int[]? shape = null;
        long[]? offsets = null;
        foreach (var field in value.EnumerateObject())
        {
            switch (field.Name)
            {
                case "dtype" when field.Value.ValueKind == JsonValueKind.String && dtype is null:
                    dtype = field.Value.GetString();
                    break;
                case "shape" when shape is null:
                    shape = ReadIntegers(field.Value, where, "shape", int.MaxValue).Select(v => (int)v).ToArray();
                    break;
                case "data_offsets" when offsets is null:
                    offsets = ReadIntegers(field.Value, where, "data_offsets", long.MaxValue);
                    break;
                default:
                    throw new MatrixFormatException($"{where}: unexpected or repeated field '{field.Name}'.");
            }
        }

        if (dtype is null || shape is null || offsets is null)
            throw new MatrixFormatException($"{where} must define dtype, shape and data_offsets.");
        NdArrayType type = dtype switch
        {
            "F32" => NdArrayType.Float32,
            "F64" => NdArrayType.Float64,
            "I64" => NdArrayType.Int64,
            _ => throw new MatrixFormatException($"{where} has dtype {dtype}; only F32, F64 and I64 are read."),
        };
        if (shape.Length > NdArray.MaxRank)
            throw new MatrixFormatException($"{where} has rank {shape.Length} (shape {NdArray.FormatShape(shape)}); at most {NdArray.MaxRank} is supported.");
        if (shape.Any(extent => extent == 0))
            throw new MatrixFormatException($"{where} has shape {NdArray.FormatShape(shape)}: empty tensors are not read.");
        if (offsets.Length != 2 || offsets[0] > offsets[1])
            throw new MatrixFormatException($"{where}: data_offsets must be [begin, end] with begin <= end.");
        if (offsets[1] > bufferLength)
            throw new MatrixFormatException($"{where}: data_offsets [{offsets[0]}, {offsets[1]}] run past the buffer's {bufferLength:N0} bytes.");

        // Multiplied only while the product fits in a long.
        long span = offsets[1] - offsets[0], bytes = NdArray.ItemSize(type);
        bool tooLarge = false;
        foreach (int extent in shape)
        {
            if (bytes > long.MaxValue / extent)
            {
                tooLarge = true;
                break;
            }

            bytes *= extent;
        }

        if (tooLarge || bytes != span)
            throw new MatrixFormatException($"{where}: shape {NdArray.FormatShape(shape)} of {dtype} needs {(tooLarge ? "more bytes than" : $"{bytes:N0} bytes, but")} data_offsets span {span:N0}.");
        if (span / NdArray.ItemSize(type) > Array.MaxLength)
            throw new MatrixFormatException($"{where}: {span / NdArray.ItemSize(type):N0} values are too many for one array.");
        return new TensorEntry(name, type, shape, offsets[0], offsets[1]);
    }

    private static long[] ReadIntegers(JsonElement value, string where, string field, long max)
    {
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() > 16)
            throw new MatrixFormatException($"{where}: {field} must be a short array of non-negative integers.");
        var result = new long[value.GetArrayLength()];
        int k = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out long number) || number < 0 || number > max)
                throw new MatrixFormatException($"{where}: {field} must hold non-negative integers (at most {max}), not {item.GetRawText()}.");
            result[k++] = number;
        }

        return result;
    }

    private static NdArray Decode(TensorEntry entry, byte[] bytes, string source)
    {
        int itemSize = NdArray.ItemSize(entry.Type);
        var values = new double[bytes.Length / itemSize];
        for (int k = 0; k < values.Length; k++)
        {
            var item = bytes.AsSpan(k * itemSize);
            double value = entry.Type switch
            {
                NdArrayType.Float32 => BinaryPrimitives.ReadSingleLittleEndian(item),
                NdArrayType.Float64 => BinaryPrimitives.ReadDoubleLittleEndian(item),
                _ => BinaryPrimitives.ReadInt64LittleEndian(item) is var wide && Math.Abs(wide) <= NdArray.MaxExactInteger
                    ? wide
                    : throw new MatrixFormatException($"{source}: tensor '{entry.Name}', value number {k} is {wide}, larger in magnitude than 2^53."),
            };
            if (!double.IsFinite(value))
                throw new MatrixFormatException($"{source}: tensor '{entry.Name}', value number {k} is {value}; NaN and infinities are rejected.");
            values[k] = value;
        }

        return new NdArray(entry.Type, entry.Shape, values);
    }
}
