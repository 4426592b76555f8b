using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace GenLu.IO;

/// <summary>
/// Reads and writes NumPy <c>.npy</c> files holding one little-endian array: float32 (<c>'&lt;f4'</c>), float64
/// (<c>'&lt;f8'</c>) or, through <see cref="ReadArray(Stream, string)"/>, int64/int32 (<c>'&lt;i8'</c>, <c>'&lt;i4'</c>), of
/// rank 0 (a scalar), 1 or 2, in C (row-major) or Fortran (column-major) order. Format versions 1.0, 2.0 and 3.0 are read
/// (they differ only in the width of the header length and the header's text encoding); files are written as 1.0
/// (2.0 when the header would not fit), C order. NaN and infinities are rejected, read or written. The declared shape
/// is checked against the bytes a seekable stream holds before the array is allocated; from any other stream storage
/// grows with the values actually read.
/// </summary>
public static class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads the 2-D float array in the file at <paramref name="path"/> as a row-major matrix.</summary>
    /// <exception cref="MatrixFormatException">The file is malformed or holds an unsupported array.</exception>
    public static DenseMatrix Read(string path) => ReadFile(path, Read);

    /// <summary>Reads a 2-D float .npy array from <paramref name="stream"/>, which must end right after the data.</summary>
    /// <exception cref="MatrixFormatException">The data is malformed or holds an unsupported array.</exception>
    public static DenseMatrix Read(Stream stream, string source = ".npy input")
    {
        var (header, values) = ReadCore(stream, source, matrixOnly: true);
        int rows = (int)header.Shape[0], cols = (int)header.Shape[1];
        return new DenseMatrix(rows, cols, header.FortranOrder ? MatrixFiles.ColumnMajorToRowMajor(values, rows, cols) : values);
    }

    /// <summary>Reads the array (rank 0, 1 or 2; float32, float64, int64 or int32) in the file at <paramref name="path"/>.</summary>
    /// <exception cref="MatrixFormatException">The file is malformed or holds an unsupported array.</exception>
    public static NdArray ReadArray(string path) => ReadFile(path, ReadArray);

    /// <summary>
    /// Reads a .npy array of rank 0, 1 or 2 from <paramref name="stream"/>, which must end right after the data; a
    /// Fortran-order array comes back in C order, int32 values as <see cref="NdArrayType.Int64"/>.
    /// </summary>
    /// <exception cref="MatrixFormatException">The data is malformed or holds an unsupported array.</exception>
    public static NdArray ReadArray(Stream stream, string source = ".npy input")
    {
        var (header, values) = ReadCore(stream, source, matrixOnly: false);
        int[] shape = header.Shape.Select(extent => (int)extent).ToArray();
        if (header.FortranOrder && shape.Length == 2) values = MatrixFiles.ColumnMajorToRowMajor(values, shape[0], shape[1]);
        return new NdArray(header.Type, shape, values);
    }

    /// <summary>Writes <paramref name="matrix"/> as a float64, C-order .npy file, atomically.</summary>
    public static void Write(string path, DenseMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        MatrixFiles.RequireFiniteForWriting(matrix, nameof(matrix));
        MatrixFiles.WriteAtomically(path, stream => Write(stream, matrix));
    }

    /// <summary>Writes the row-major <paramref name="rows"/> x <paramref name="cols"/> matrix <paramref name="values"/> as a float64 .npy file, atomically.</summary>
    public static void Write(string path, double[] values, int rows, int cols) => Write(path, new DenseMatrix(rows, cols, values));

    /// <summary>Writes <paramref name="matrix"/> in .npy format (float64, C order) to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, DenseMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(matrix);
        MatrixFiles.RequireFiniteForWriting(matrix, nameof(matrix));
        WriteArray(stream, new NdArray(NdArrayType.Float64, [matrix.Rows, matrix.Cols], matrix.Values));
    }

    /// <summary>Writes <paramref name="array"/> as a .npy file of its element type, C order, atomically.</summary>
    public static void WriteArray(string path, NdArray array)
    {
        ArgumentNullException.ThrowIfNull(array);
        MatrixFiles.WriteAtomically(path, stream => WriteArray(stream, array));
    }

    /// <summary>Writes <paramref name="array"/> in .npy format (its element type, C order) to <paramref name="stream"/>.</summary>
    public static void WriteArray(Stream stream, NdArray array)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(array);
        string descr = array.Type switch
        {
            NdArrayType.Float32 => "<f4",
            NdArrayType.Float64 => "<f8",
            _ => "<i8",
        };
        string dict = string.Create(CultureInfo.InvariantCulture, $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {array.ShapeText}, }}");

        // The whole preamble (magic, version, length field, header ending in '\n') is padded with spaces to a multiple of 64.
        bool version1 = 10 + dict.Length + 1 <= ushort.MaxValue;
        int fixedPart = version1 ? 10 : 12;
        int padded = (fixedPart + dict.Length + 1 + 63) / 64 * 64;
        string header = dict + new string(' ', padded - fixedPart - dict.Length - 1) + "\n";

        Span<byte> start = stackalloc byte[12];
        Magic.CopyTo(start);
        start[6] = (byte)(version1 ? 1 : 2);
        start[7] = 0;
        if (version1)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(start[8..], (ushort)header.Length);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(start[8..], (uint)header.Length);
        }

        stream.Write(start[..fixedPart]);
        stream.Write(Encoding.Latin1.GetBytes(header));
        const int ChunkValues = 4096;
        int itemSize = NdArray.ItemSize(array.Type);
        var buffer = new byte[itemSize * ChunkValues];
        double[] values = array.Values;
        for (int offset = 0; offset < values.Length; offset += ChunkValues)
        {
            int chunk = Math.Min(ChunkValues, values.Length - offset);
            for (int k = 0; k < chunk; k++)
            {
                var destination = buffer.AsSpan(itemSize * k);
                switch (array.Type)
                {
                    case NdArrayType.Float32: BinaryPrimitives.WriteSingleLittleEndian(destination, (float)values[offset + k]); break;
                    case NdArrayType.Float64: BinaryPrimitives.WriteDoubleLittleEndian(destination, values[offset + k]); break;
                    default: BinaryPrimitives.WriteInt64LittleEndian(destination, (long)values[offset + k]); break;
                }
            }

            stream.Write(buffer, 0, itemSize * chunk);
        }
    }

    private static T ReadFile<T>(string path, Func<Stream, string, T> read)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return read(stream, path);
    }

    /// <summary>The header and the values in file order; <paramref name="matrixOnly"/> admits only 2-D float arrays.</summary>
    private static (NpyHeader Header, double[] Values) ReadCore(Stream stream, string source, bool matrixOnly)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> preamble = stackalloc byte[8];
        ReadExactly(stream, preamble, source, "the magic string and version");
        if (!preamble[..6].SequenceEqual(Magic))
        {
            throw new MatrixFormatException($"{source}: bad header, the file does not start with the .npy magic string \\x93NUMPY.");
        }

        int major = preamble[6];
        int lengthBytes = major switch
        {
            1 => 2,
            2 or 3 => 4,
            _ => throw new MatrixFormatException($"{source}: unsupported .npy format version {major}.{preamble[7]} (1.0, 2.0 and 3.0 are supported)."),
        };
        Span<byte> lengthField = stackalloc byte[4];
        ReadExactly(stream, lengthField[..lengthBytes], source, "the header length");
        long headerLength = lengthBytes == 2
            ? BinaryPrimitives.ReadUInt16LittleEndian(lengthField)
            : BinaryPrimitives.ReadUInt32LittleEndian(lengthField);
        if (headerLength > 1 << 20)
        {
            throw new MatrixFormatException($"{source}: bad header, its length {headerLength} is implausibly large.");
        }

        var headerBytes = new byte[headerLength];
        ReadExactly(stream, headerBytes, source, "the header");
        var encoding = major == 3 ? Encoding.UTF8 : Encoding.Latin1;
        var header = NpyHeader.Parse(encoding.GetString(headerBytes), source, matrixOnly);

        int count = header.Shape.Count switch
        {
            0 => 1,
            1 => MatrixFiles.CheckedElementCount(header.Shape[0], 1, source),
            _ => MatrixFiles.CheckedElementCount(header.Shape[0], header.Shape[1], source),
        };
        string described = header.Shape.Count == 2 ? $"{header.Shape[0]} x {header.Shape[1]} array" : $"array of shape {NdArray.FormatShape(header.Shape)}";
        long dataBytes = (long)count * header.ItemSize;
        if (stream.CanSeek && stream.Length - stream.Position is var left && left != dataBytes)
        {
            throw new MatrixFormatException(left < dataBytes
                ? $"{source}: truncated data, expected {count} values of the {described} ({dataBytes:N0} bytes) but only {left:N0} bytes follow the header."
                : $"{source}: wrong entry count, there are {left - dataBytes:N0} bytes after the {described}.");
        }

        var values = ReadData(stream, header, count, knownLength: stream.CanSeek, source);
        if (stream.ReadByte() != -1)
        {
            throw new MatrixFormatException($"{source}: wrong entry count, there are bytes after the {described}.");
        }

        return (header, values);
    }

    /// <summary>
    /// The values in file order. With the stream's length checked, the array is allocated once; otherwise it grows with
    /// the values actually present, so a short stream declaring a huge shape costs only what it holds.
    /// </summary>
    private static double[] ReadData(Stream stream, NpyHeader header, int count, bool knownLength, string source)
    {
        const int ChunkValues = 4096;
        int itemSize = header.ItemSize;
        var values = new GrowableArray<double>(knownLength ? count : Math.Min(count, MatrixFiles.UnboundedInitialCapacity), count);
        var buffer = new byte[itemSize * ChunkValues];
        for (int offset = 0; offset < count; offset += ChunkValues)
        {
            int chunk = Math.Min(ChunkValues, count - offset);
            var bytes = buffer.AsSpan(0, chunk * itemSize);
            int got = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            if (got < bytes.Length)
            {
                throw new MatrixFormatException(
                    $"{source}: truncated data, expected {count} values ({(long)count * itemSize} bytes) but the file ends after {offset + (got / itemSize)}.");
            }

            for (int k = 0; k < chunk; k++)
            {
                var item = bytes[(k * itemSize)..];
                double value = header.Descr switch
                {
                    "<f8" => BinaryPrimitives.ReadDoubleLittleEndian(item),
                    "<f4" => BinaryPrimitives.ReadSingleLittleEndian(item),
                    "<i8" => BinaryPrimitives.ReadInt64LittleEndian(item) is var wide && Math.Abs(wide) <= NdArray.MaxExactInteger
                        ? wide
                        : throw new MatrixFormatException($"{source}: value number {offset + k} is {wide}, larger in magnitude than 2^53; such integers are not read."),
                    _ => BinaryPrimitives.ReadInt32LittleEndian(item),
                };
                if (!double.IsFinite(value))
                {
                    throw new MatrixFormatException($"{source}: value number {offset + k} is {value}; NaN and infinities are rejected.");
                }

                values.Add(value);
            }
        }

        return values.ToExactArray();
    }

    private static void ReadExactly(Stream stream, Span<byte> destination, string source, string what)
    {
        if (stream.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false) < destination.Length)
        {
            throw new MatrixFormatException($"{source}: truncated file, it ends inside {what}.");
        }
    }

    /// <summary>The three keys of a .npy header, parsed from its Python dict literal.</summary>
    private sealed record NpyHeader(string Descr, NdArrayType Type, bool FortranOrder, IReadOnlyList<long> Shape)
    {
        public int ItemSize => Descr is "<f4" or "<i4" ? 4 : 8;

        public static NpyHeader Parse(string text, string source, bool matrixOnly)
        {
            var parser = new DictParser(text, source);
            string? descr = null;
            bool? fortran = null;
            List<long>? shape = null;
            parser.Expect('{');
            while (!parser.TryConsume('}'))
            {
                string key = parser.ReadString();
                parser.Expect(':');
                switch (key)
                {
                    case "descr": descr = parser.ReadString(); break;
                    case "fortran_order": fortran = parser.ReadBool(); break;
                    case "shape": shape = parser.ReadIntTuple(); break;
                    default: throw parser.Error($"unexpected key '{key}'");
                }

                if (!parser.TryConsume(','))
                {
                    parser.Expect('}');
                    break;
                }
            }

            if (descr is null || fortran is null || shape is null)
            {
                throw parser.Error("the header must define 'descr', 'fortran_order' and 'shape'");
            }

            NdArrayType? type = descr switch
            {
                "<f8" => NdArrayType.Float64,
                "<f4" => NdArrayType.Float32,
                "<i8" or "<i4" when !matrixOnly => NdArrayType.Int64,
                _ => null,
            };
            if (type is null)
            {
                throw new MatrixFormatException(matrixOnly
                    ? $"{source}: unsupported dtype '{descr}'; only little-endian float32 '<f4' and float64 '<f8' are supported."
                    : $"{source}: unsupported dtype '{descr}'; only little-endian float32 '<f4', float64 '<f8', int64 '<i8' and int32 '<i4' are supported.");
            }

            if (matrixOnly && shape.Count != 2)
            {
                throw new MatrixFormatException($"{source}: the array has {shape.Count} dimensions (shape ({string.Join(", ", shape)})); a matrix must be 2-D.");
            }

            if (shape.Count > NdArray.MaxRank)
            {
                throw new MatrixFormatException($"{source}: the array has {shape.Count} dimensions (shape ({string.Join(", ", shape)})); at most {NdArray.MaxRank} are supported.");
            }

            return new NpyHeader(descr, type.Value, fortran.Value, shape);
        }
    }

    /// <summary>A minimal reader for the Python literal subset that .npy headers use: strings, True/False, int tuples.</summary>
    private sealed class DictParser(string text, string source)
    {
        private int position;

        public void Expect(char c)
        {
            if (!TryConsume(c))
            {
                throw Error($"expected '{c}' at offset {position}");
            }
        }

        public bool TryConsume(char c)
        {
            SkipSpace();
            if (position < text.Length && text[position] == c)
            {
                position++;
                return true;
            }

            return false;
        }

        public string ReadString()
        {
            SkipSpace();
            if (position >= text.Length || (text[position] != '\'' && text[position] != '"'))
            {
                throw Error($"expected a quoted string at offset {position}");
            }

            char quote = text[position];
            int end = text.IndexOf(quote, position + 1);
            if (end < 0)
            {
                throw Error("unterminated string");
            }

            string value = text[(position + 1)..end];
            position = end + 1;
            return value;
        }

        public bool ReadBool()
        {
            SkipSpace();
            foreach (var (word, value) in new[] { ("True", true), ("False", false) })
            {
                if (string.CompareOrdinal(text, position, word, 0, word.Length) == 0)
                {
                    position += word.Length;
                    return value;
                }
            }

            throw Error($"expected True or False at offset {position}");
        }

        public List<long> ReadIntTuple()
        {
            Expect('(');
            var values = new List<long>();
            while (!TryConsume(')'))
            {
                SkipSpace();
                int start = position;
                while (position < text.Length && char.IsAsciiDigit(text[position]))
                {
                    position++;
                }

                if (!long.TryParse(text.AsSpan(start, position - start), NumberStyles.None, CultureInfo.InvariantCulture, out long value))
                {
                    throw Error($"expected a non-negative integer in 'shape' at offset {start}");
                }

                values.Add(value);
                if (!TryConsume(','))
                {
                    Expect(')');
                    break;
                }
            }

            return values;
        }

        public MatrixFormatException Error(string message) => new($"{source}: bad header ({message}): {text.TrimEnd()}");

        private void SkipSpace()
        {
            while (position < text.Length && char.IsWhiteSpace(text[position]))
            {
                position++;
            }
        }
    }
}
