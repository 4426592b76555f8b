using System.Globalization;
using System.Text;

namespace GenLu.IO;

/// <summary>How <see cref="MatrixMarket.Write(string, DenseMatrix, MatrixMarketLayout)"/> stores the entries.</summary>
public enum MatrixMarketLayout
{
    /// <summary>Every entry, column by column (<c>array</c> format).</summary>
    Array,

    /// <summary>Only the non-zero entries as <c>row col value</c> triples with 1-based indices (<c>coordinate</c> format).</summary>
    Coordinate,
}

/// <summary>
/// Reads and writes NIST Matrix Market files of real matrices: <c>%%MatrixMarket matrix coordinate|array real|integer
/// general|symmetric</c>. Comment lines start with <c>%</c>; coordinate indices are 1-based; a symmetric file stores
/// the lower triangle (i &gt;= j) and is mirrored; an array file lists the entries column-major (for a symmetric one,
/// the lower triangle column by column). Duplicate coordinate entries, NaN and infinities are rejected.
/// </summary>
public static class MatrixMarket
{
    private const string Banner = "%%MatrixMarket";

    /// <summary>Reads the file at <paramref name="path"/>.</summary>
    /// <exception cref="MatrixFormatException">The file is malformed or uses an unsupported kind of matrix.</exception>
    public static DenseMatrix Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var reader = new StreamReader(path, Encoding.UTF8);
        return Read(reader, path);
    }

    /// <summary>Reads a Matrix Market text from <paramref name="reader"/>.</summary>
    /// <exception cref="MatrixFormatException">The text is malformed or uses an unsupported kind of matrix.</exception>
    public static DenseMatrix Read(TextReader reader) => Read(reader, "Matrix Market input");

    /// <summary>Writes <paramref name="matrix"/> to <paramref name="path"/> (general symmetry, real field), atomically.</summary>
    public static void Write(string path, DenseMatrix matrix, MatrixMarketLayout layout = MatrixMarketLayout.Array)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        MatrixFiles.WriteAtomically(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16, leaveOpen: true);
            Write(writer, matrix, layout);
        });
    }

    /// <summary>Writes <paramref name="matrix"/> as Matrix Market text (general symmetry, real field, round-trip numbers).</summary>
    public static void Write(TextWriter writer, DenseMatrix matrix, MatrixMarketLayout layout = MatrixMarketLayout.Array)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(matrix);
        writer.NewLine = "\n";
        var inv = CultureInfo.InvariantCulture;
        if (layout == MatrixMarketLayout.Array)
        {
            writer.WriteLine($"{Banner} matrix array real general");
            writer.WriteLine(string.Create(inv, $"{matrix.Rows} {matrix.Cols}"));
            for (int j = 0; j < matrix.Cols; j++)
            {
                for (int i = 0; i < matrix.Rows; i++)
                {
                    writer.WriteLine(matrix[i, j].ToString("R", inv));
                }
            }

            return;
        }

        if (layout != MatrixMarketLayout.Coordinate)
        {
            throw new ArgumentOutOfRangeException(nameof(layout), layout, "Unknown Matrix Market layout.");
        }

        int nonZeros = matrix.Values.Count(v => v != 0);
        writer.WriteLine($"{Banner} matrix coordinate real general");
        writer.WriteLine(string.Create(inv, $"{matrix.Rows} {matrix.Cols} {nonZeros}"));
        for (int i = 0; i < matrix.Rows; i++)
        {
            for (int j = 0; j < matrix.Cols; j++)
            {
                if (matrix[i, j] != 0)
                {
                    writer.WriteLine(string.Create(inv, $"{i + 1} {j + 1} {matrix[i, j]:R}"));
                }
            }
        }
    }

    private static DenseMatrix Read(TextReader reader, string source)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var lines = new LineSource(reader, source);
        var (coordinate, integer, symmetric) = ReadBanner(lines);

        string[] size = lines.NextDataLine() ?? throw lines.Error("the size line is missing");
        int expectedSizeFields = coordinate ? 3 : 2;
        if (size.Length != expectedSizeFields)
        {
            throw lines.Error($"the size line must hold {expectedSizeFields} integers ({(coordinate ? "rows cols entries" : "rows cols")}), found {size.Length} fields");
        }

        long rows = lines.ParseCount(size[0], "rows");
        long cols = lines.ParseCount(size[1], "cols");
        int count = MatrixFiles.CheckedElementCount(rows, cols, source);
        if (symmetric && rows != cols)
        {
            throw lines.Error($"a symmetric matrix must be square, the size line says {rows} x {cols}");
        }

        var values = new double[count];
        var matrix = new DenseMatrix((int)rows, (int)cols, values);
        if (coordinate)
        {
            long entries = lines.ParseCount(size[2], "entries");
            ReadCoordinateEntries(lines, matrix, entries, integer, symmetric);
        }
        else
        {
            ReadArrayEntries(lines, matrix, integer, symmetric);
        }

        if (lines.NextDataLine() is not null)
        {
            throw lines.Error("wrong entry count: there is data after the last expected entry");
        }

        return matrix;
    }

    private static (bool Coordinate, bool Integer, bool Symmetric) ReadBanner(LineSource lines)
    {
        string header = lines.NextRawLine() ?? throw lines.Error("the file is empty; expected the header '%%MatrixMarket matrix ...'");
        string[] words = header.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length != 5 || !words[0].Equals(Banner, StringComparison.OrdinalIgnoreCase))
        {
            throw lines.Error($"bad header '{header}'; expected '%%MatrixMarket matrix <coordinate|array> <real|integer> <general|symmetric>'");
        }

        if (!words[1].Equals("matrix", StringComparison.OrdinalIgnoreCase))
        {
            throw lines.Error($"unsupported object '{words[1]}'; only 'matrix' is supported");
        }

        bool coordinate = words[2].ToLowerInvariant() switch
        {
            "coordinate" => true,
            "array" => false,
            _ => throw lines.Error($"unsupported format '{words[2]}'; expected 'coordinate' or 'array'"),
        };
        bool integer = words[3].ToLowerInvariant() switch
        {
            "real" => false,
            "integer" => true,
            _ => throw lines.Error($"unsupported field '{words[3]}'; expected 'real' or 'integer' (pattern and complex are not supported)"),
        };
        bool symmetric = words[4].ToLowerInvariant() switch
        {
            "general" => false,
            "symmetric" => true,
            _ => throw lines.Error($"unsupported symmetry '{words[4]}'; expected 'general' or 'symmetric'"),
        };
        return (coordinate, integer, symmetric);
    }

    private static void ReadCoordinateEntries(LineSource lines, DenseMatrix matrix, long entries, bool integer, bool symmetric)
    {
        var seen = new bool[matrix.Values.Length];
        for (long k = 0; k < entries; k++)
        {
            string[] fields = lines.NextDataLine()
                ?? throw lines.Error($"truncated data: expected {entries} entries, found {k}");
            if (fields.Length != 3)
            {
                throw lines.Error($"an entry must be 'row col value', found {fields.Length} fields");
            }

            int i = lines.ParseIndex(fields[0], "row", matrix.Rows);
            int j = lines.ParseIndex(fields[1], "column", matrix.Cols);
            if (symmetric && j > i)
            {
                throw lines.Error($"entry ({i + 1}, {j + 1}) lies above the diagonal; a symmetric file stores the lower triangle only");
            }

            int at = (i * matrix.Cols) + j;
            if (seen[at])
            {
                throw lines.Error($"duplicate entry ({i + 1}, {j + 1})");
            }

            seen[at] = true;
            Store(matrix, i, j, lines.ParseValue(fields[2], integer), symmetric);
        }
    }

    private static void ReadArrayEntries(LineSource lines, DenseMatrix matrix, bool integer, bool symmetric)
    {
        long expected = symmetric ? (long)matrix.Rows * (matrix.Rows + 1) / 2 : matrix.Values.Length;
        long found = 0;
        for (int j = 0; j < matrix.Cols; j++)
        {
            for (int i = symmetric ? j : 0; i < matrix.Rows; i++)
            {
                string[] fields = lines.NextDataLine()
                    ?? throw lines.Error($"truncated data: expected {expected} entries, found {found}");
                if (fields.Length != 1)
                {
                    throw lines.Error($"an array entry must be a single value, found {fields.Length} fields");
                }

                Store(matrix, i, j, lines.ParseValue(fields[0], integer), symmetric);
                found++;
            }
        }
    }

    private static void Store(DenseMatrix matrix, int i, int j, double value, bool symmetric)
    {
        matrix.Values[(i * matrix.Cols) + j] = value;
        if (symmetric)
        {
            matrix.Values[(j * matrix.Cols) + i] = value;
        }
    }

    /// <summary>Hands out lines with their numbers so that every error can say where it happened.</summary>
    private sealed class LineSource(TextReader reader, string source)
    {
        private int lineNumber;

        public string? NextRawLine()
        {
            string? line = reader.ReadLine();
            if (line is not null)
            {
                lineNumber++;
            }

            return line;
        }

        /// <summary>The next line that is neither blank nor a comment, split on white space; null at the end.</summary>
        public string[]? NextDataLine()
        {
            while (NextRawLine() is { } line)
            {
                string trimmed = line.Trim();
                if (trimmed.Length == 0 || trimmed[0] == '%')
                {
                    continue;
                }

                return trimmed.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            }

            return null;
        }

        public long ParseCount(string text, string what)
        {
            if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) || value < 0)
            {
                throw Error($"the {what} count '{text}' is not a non-negative integer");
            }

            return value;
        }

        public int ParseIndex(string text, string what, int limit)
        {
            if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
            {
                throw Error($"the {what} index '{text}' is not an integer");
            }

            if (value < 1 || value > limit)
            {
                throw Error($"the {what} index {value} is out of range 1..{limit}");
            }

            return (int)(value - 1);
        }

        public double ParseValue(string text, bool integer)
        {
            double value;
            if (integer)
            {
                if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long whole))
                {
                    throw Error($"the value '{text}' is not an integer, as the 'integer' field requires");
                }

                value = whole;
            }
            else if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
            {
                throw Error($"the value '{text}' is not a real number");
            }

            MatrixFiles.CheckFiniteValue(value, $"{source}, line {lineNumber}");
            return value;
        }

        public MatrixFormatException Error(string message) => new($"{source}, line {lineNumber}: {message}.");
    }
}
