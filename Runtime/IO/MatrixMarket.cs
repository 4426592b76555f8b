using System.Globalization;
using System.Text;
using GenLu.Sparse;

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
/// Reads and writes NIST Matrix Market files of real matrices:
/// <c>%%MatrixMarket matrix coordinate|array real|integer|pattern general|symmetric|skew-symmetric</c>
/// (pattern in coordinate format only). Comment lines start with <c>%</c>; coordinate indices are 1-based; a
/// symmetric file stores the lower triangle (i ≥ j), a skew-symmetric one the strict lower triangle, and both are
/// mirrored; an array file lists the values column-major (the stored triangle column by column). Repeated coordinate
/// entries are summed; NaN and infinities are rejected.
/// <para>
/// Coordinate files are read into a <see cref="CsrMatrix"/> by <see cref="ReadSparse(string)"/> in O(entries + rows)
/// memory. Every reader checks the size line against what the input can hold before allocating anything in
/// proportion to it: from a file or seekable stream, the declared entries must fit in the bytes left; from a text
/// reader, storage grows with the entries actually read. Rows · columns is never allocated by the sparse path.
/// </para>
/// </summary>
public static class MatrixMarket
{
    private const string Banner = "%%MatrixMarket";

    /// <summary>Reads and validates only the banner and size line of the file at <paramref name="path"/>.</summary>
    /// <exception cref="MatrixFormatException">The header is malformed or declares more than the file holds.</exception>
    public static MatrixMarketHeader ReadHeader(string path) => ReadFile(path, ReadHeader);

    /// <summary>Reads the file at <paramref name="path"/> as a dense matrix.</summary>
    /// <exception cref="MatrixFormatException">
    /// The file is malformed, uses an unsupported kind of matrix, or is a coordinate file too large to densify
    /// (more than <see cref="CsrMatrix.MaxDenseElementCount"/> entries; read it with <see cref="ReadSparse(string)"/>).
    /// </exception>
    public static DenseMatrix Read(string path) => ReadFile(path, ReadDense);

    /// <summary>Reads a Matrix Market text from <paramref name="reader"/> as a dense matrix.</summary>
    /// <exception cref="MatrixFormatException">As for <see cref="Read(string)"/>.</exception>
    public static DenseMatrix Read(TextReader reader) => ReadDense(Lines(reader));

    /// <summary>Reads the file at <paramref name="path"/> into a sparse matrix, never forming it densely.</summary>
    /// <exception cref="MatrixFormatException">The file is malformed or uses an unsupported kind of matrix.</exception>
    public static CsrMatrix ReadSparse(string path) => ReadFile(path, ReadSparse);

    /// <summary>Reads a Matrix Market file from <paramref name="stream"/> into a sparse matrix; a seekable stream's length bounds what is declared.</summary>
    /// <exception cref="MatrixFormatException">The data is malformed or uses an unsupported kind of matrix.</exception>
    public static CsrMatrix ReadSparse(Stream stream, string source = "Matrix Market input") => ReadStream(stream, source, ReadSparse);

    /// <summary>Reads a Matrix Market text from <paramref name="reader"/> into a sparse matrix.</summary>
    /// <exception cref="MatrixFormatException">The text is malformed or uses an unsupported kind of matrix.</exception>
    public static CsrMatrix ReadSparse(TextReader reader) => ReadSparse(Lines(reader));

    /// <summary>Writes <paramref name="matrix"/> to <paramref name="path"/> (general symmetry, real field), atomically.</summary>
    /// <exception cref="ArgumentException">The matrix holds NaN or an infinity (nothing is written).</exception>
    public static void Write(string path, DenseMatrix matrix, MatrixMarketLayout layout = MatrixMarketLayout.Array)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        MatrixFiles.RequireFiniteForWriting(matrix, nameof(matrix));
        WriteFile(path, writer => Write(writer, matrix, layout));
    }

    /// <summary>Writes <paramref name="matrix"/> as Matrix Market text (general symmetry, real field, round-trip numbers).</summary>
    /// <exception cref="ArgumentException">The matrix holds NaN or an infinity (nothing is written).</exception>
    public static void Write(TextWriter writer, DenseMatrix matrix, MatrixMarketLayout layout = MatrixMarketLayout.Array)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(matrix);
        MatrixFiles.RequireFiniteForWriting(matrix, nameof(matrix));
        writer.NewLine = "\n";
        if (layout == MatrixMarketLayout.Array)
        {
            writer.WriteLine($"{Banner} matrix array real general");
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{matrix.Rows} {matrix.Cols}"));
            for (int j = 0; j < matrix.Cols; j++)
            {
                for (int i = 0; i < matrix.Rows; i++)
                {
                    writer.WriteLine(matrix[i, j].ToString("R", CultureInfo.InvariantCulture));
                }
            }

            return;
        }

        if (layout != MatrixMarketLayout.Coordinate)
        {
            throw new ArgumentOutOfRangeException(nameof(layout), layout, "Unknown Matrix Market layout.");
        }

        WriteCoordinateHeader(writer, matrix.Rows, matrix.Cols, matrix.Values.Count(v => v != 0));
        for (int i = 0; i < matrix.Rows; i++)
        {
            for (int j = 0; j < matrix.Cols; j++)
            {
                if (matrix[i, j] != 0)
                {
                    WriteCoordinateEntry(writer, i, j, matrix[i, j]);
                }
            }
        }
    }

    /// <summary>Writes every stored entry of <paramref name="matrix"/> to <paramref name="path"/> in coordinate format (general, real), atomically.</summary>
    public static void Write(string path, CsrMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        WriteFile(path, writer => Write(writer, matrix));
    }

    /// <summary>Writes every stored entry of <paramref name="matrix"/> as coordinate Matrix Market text (general, real, row by row).</summary>
    public static void Write(TextWriter writer, CsrMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(matrix);
        writer.NewLine = "\n";
        WriteCoordinateHeader(writer, matrix.Rows, matrix.Columns, matrix.NonZeroCount);
        for (int i = 0; i < matrix.Rows; i++)
        {
            var columns = matrix.RowColumns(i);
            var values = matrix.RowValues(i);
            for (int k = 0; k < columns.Length; k++)
            {
                WriteCoordinateEntry(writer, i, columns[k], values[k]);
            }
        }
    }

    private static void WriteFile(string path, Action<TextWriter> write) =>
        MatrixFiles.WriteAtomically(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16, leaveOpen: true);
            write(writer);
        });

    private static void WriteCoordinateHeader(TextWriter writer, int rows, int columns, int entries)
    {
        writer.WriteLine($"{Banner} matrix coordinate real general");
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rows} {columns} {entries}"));
    }

    private static void WriteCoordinateEntry(TextWriter writer, int row, int column, double value) =>
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{row + 1} {column + 1} {value:R}"));

    private static T ReadFile<T>(string path, Func<LineSource, T> read)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return ReadStream(stream, path, read);
    }

    private static T ReadStream<T>(Stream stream, string source, Func<LineSource, T> read)
    {
        ArgumentNullException.ThrowIfNull(stream);
        long? bytesLeft = stream.CanSeek ? stream.Length - stream.Position : null;
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, 1 << 16, leaveOpen: true);

        // A decoded character takes at least one byte, so the bytes left bound the characters left.
        return read(new LineSource(reader, source, bytesLeft));
    }

    private static LineSource Lines(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return new LineSource(reader, "Matrix Market input", charactersLeft: null);
    }

    private static DenseMatrix ReadDense(LineSource lines)
    {
        var header = ReadHeader(lines);
        if (header.Format == MatrixMarketFormat.Array)
        {
            return ReadArrayDense(lines, header);
        }

        if (!CsrMatrix.CanDensify(header.Rows, header.Columns))
        {
            throw lines.Error(
                $"a {header.Rows} x {header.Columns} matrix is too large to read densely (more than {CsrMatrix.MaxDenseElementCount:N0} entries); read it as a sparse matrix");
        }

        return ReadCoordinate(lines, header).ToDense();
    }

    private static CsrMatrix ReadSparse(LineSource lines)
    {
        var header = ReadHeader(lines);
        if (header.Rows > CsrMatrix.MaxDimension || header.Columns > CsrMatrix.MaxDimension)
        {
            throw lines.Error($"a {header.Rows} x {header.Columns} sparse matrix exceeds the largest dimension {CsrMatrix.MaxDimension:N0}");
        }

        return header.Format == MatrixMarketFormat.Coordinate ? ReadCoordinate(lines, header) : ReadArraySparse(lines, header);
    }

    private static MatrixMarketHeader ReadHeader(LineSource lines)
    {
        var (format, field, symmetry) = ReadBanner(lines);
        Span<Range> fields = stackalloc Range[4];
        int expected = format == MatrixMarketFormat.Coordinate ? 3 : 2;
        string size = lines.NextDataLine(fields, out int count) ?? throw lines.Error("the size line is missing");
        if (count != expected)
        {
            throw lines.Error($"the size line must hold {expected} integers ({(expected == 3 ? "rows cols entries" : "rows cols")}), found {count} fields");
        }

        long rows = lines.ParseCount(size.AsSpan(fields[0]), "rows");
        long cols = lines.ParseCount(size.AsSpan(fields[1]), "cols");
        if (rows < 1 || cols < 1)
        {
            throw lines.Error($"the matrix size {rows} x {cols} must be positive");
        }

        if (rows > int.MaxValue || cols > int.MaxValue)
        {
            throw lines.Error($"the matrix size {rows} x {cols} exceeds {int.MaxValue} rows or columns");
        }

        if (symmetry != MatrixMarketSymmetry.General && rows != cols)
        {
            throw lines.Error($"a {Describe(symmetry)} matrix must be square, the size line says {rows} x {cols}");
        }

        long entries = format == MatrixMarketFormat.Coordinate
            ? lines.ParseCount(size.AsSpan(fields[2]), "entries")
            : symmetry switch
            {
                MatrixMarketSymmetry.General => rows * cols,
                MatrixMarketSymmetry.Symmetric => rows * (rows + 1) / 2,
                _ => rows * (rows - 1) / 2,
            };
        // A mirrored coordinate entry is stored twice.
        long mirroring = format == MatrixMarketFormat.Coordinate && symmetry != MatrixMarketSymmetry.General ? 2 : 1;
        if (entries > Array.MaxLength / mirroring)
        {
            throw lines.Error($"the size line declares {entries:N0} entries, more than one array can hold");
        }

        // Each entry line holds at least its fields of one character, separated by one, and a line break.
        int shortestLine = format == MatrixMarketFormat.Array ? 1 : field == MatrixMarketField.Pattern ? 3 : 5;
        long shortestData = entries == 0 ? 0 : (entries * (shortestLine + 1)) - 1;
        if (lines.CharactersLeft is long left && shortestData > left)
        {
            throw lines.Error(
                $"truncated data: the size line declares {entries:N0} entries, which take at least {shortestData:N0} bytes, but only {left:N0} bytes follow it");
        }

        return new MatrixMarketHeader(format, field, symmetry, (int)rows, (int)cols, entries);
    }

    private static (MatrixMarketFormat Format, MatrixMarketField Field, MatrixMarketSymmetry Symmetry) ReadBanner(LineSource lines)
    {
        string header = lines.NextRawLine() ?? throw lines.Error("the file is empty; expected the header '%%MatrixMarket matrix ...'");
        string[] words = header.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length != 5 || !words[0].Equals(Banner, StringComparison.OrdinalIgnoreCase))
        {
            throw lines.Error($"bad header '{header}'; expected '%%MatrixMarket matrix <coordinate|array> <real|integer|pattern> <general|symmetric|skew-symmetric>'");
        }

        if (!words[1].Equals("matrix", StringComparison.OrdinalIgnoreCase))
        {
            throw lines.Error($"unsupported object '{words[1]}'; only 'matrix' is supported");
        }

        var format = words[2].ToLowerInvariant() switch
        {
            "coordinate" => MatrixMarketFormat.Coordinate,
            "array" => MatrixMarketFormat.Array,
            _ => throw lines.Error($"unsupported format '{words[2]}'; expected 'coordinate' or 'array'"),
        };
        var field = words[3].ToLowerInvariant() switch
        {
            "real" => MatrixMarketField.Real,
            "integer" => MatrixMarketField.Integer,
            "pattern" => MatrixMarketField.Pattern,
            _ => throw lines.Error($"unsupported field '{words[3]}'; expected 'real', 'integer' or 'pattern' (complex is not supported)"),
        };
        var symmetry = words[4].ToLowerInvariant() switch
        {
            "general" => MatrixMarketSymmetry.General,
            "symmetric" => MatrixMarketSymmetry.Symmetric,
            "skew-symmetric" => MatrixMarketSymmetry.SkewSymmetric,
            _ => throw lines.Error($"unsupported symmetry '{words[4]}'; expected 'general', 'symmetric' or 'skew-symmetric'"),
        };
        if (field == MatrixMarketField.Pattern && (format == MatrixMarketFormat.Array || symmetry == MatrixMarketSymmetry.SkewSymmetric))
        {
            throw lines.Error($"the field 'pattern' needs the coordinate format and general or symmetric symmetry, not '{words[2]} {words[4]}'");
        }

        return (format, field, symmetry);
    }

    private static CsrMatrix ReadCoordinate(LineSource lines, MatrixMarketHeader header)
    {
        // Bounded by the bytes left, the declared count may be allocated up front; otherwise storage grows as entries arrive.
        long capacity = lines.CharactersLeft is null
            ? Math.Min(header.Entries, MatrixFiles.UnboundedInitialCapacity)
            : header.Symmetry == MatrixMarketSymmetry.General ? header.Entries : 2 * header.Entries;
        var builder = new CsrBuilder(header.Rows, header.Columns, (int)capacity);
        bool pattern = header.Field == MatrixMarketField.Pattern;
        int expected = pattern ? 2 : 3;
        Span<Range> fields = stackalloc Range[4];
        for (long k = 0; k < header.Entries; k++)
        {
            string line = lines.NextDataLine(fields, out int count)
                ?? throw lines.Error($"truncated data: expected {header.Entries} entries, found {k}");
            if (count != expected)
            {
                throw lines.Error($"an entry must be '{(pattern ? "row col" : "row col value")}', found {count} fields");
            }

            int i = lines.ParseIndex(line.AsSpan(fields[0]), "row", header.Rows);
            int j = lines.ParseIndex(line.AsSpan(fields[1]), "column", header.Columns);
            if ((header.Symmetry == MatrixMarketSymmetry.Symmetric && j > i) || (header.Symmetry == MatrixMarketSymmetry.SkewSymmetric && j >= i))
            {
                throw lines.Error(
                    $"entry ({i + 1}, {j + 1}) lies {(i == j ? "on" : "above")} the diagonal; a {Describe(header.Symmetry)} file stores the {(header.Symmetry == MatrixMarketSymmetry.Symmetric ? "lower" : "strict lower")} triangle only");
            }

            double value = pattern ? 1 : lines.ParseValue(line.AsSpan(fields[2]), header.Field == MatrixMarketField.Integer);
            AddMirrored(builder, header.Symmetry, i, j, value);
        }

        lines.RequireEnd();
        return Build(lines, builder);
    }

    private static CsrMatrix ReadArraySparse(LineSource lines, MatrixMarketHeader header)
    {
        var builder = new CsrBuilder(header.Rows, header.Columns);
        ReadArrayValues(lines, header, (i, j, value) =>
        {
            if (value != 0)
            {
                AddMirrored(builder, header.Symmetry, i, j, value);
            }
        });
        return Build(lines, builder);
    }

    private static DenseMatrix ReadArrayDense(LineSource lines, MatrixMarketHeader header)
    {
        int count = MatrixFiles.CheckedElementCount(header.Rows, header.Columns, lines.Source);
        long capacity = lines.CharactersLeft is null ? Math.Min(header.Entries, MatrixFiles.UnboundedInitialCapacity) : header.Entries;
        var stored = new GrowableArray<double>((int)capacity, header.Entries);
        ReadArrayValues(lines, header, (_, _, value) => stored.Add(value));
        if (header.Symmetry == MatrixMarketSymmetry.General)
        {
            return new DenseMatrix(header.Rows, header.Columns, MatrixFiles.ColumnMajorToRowMajor(stored.ToExactArray(), header.Rows, header.Columns));
        }

        var values = new double[count];
        var triangle = stored.AsSpan();
        int k = 0;
        foreach (var (i, j) in ArrayPositions(header))
        {
            double value = triangle[k++];
            values[(i * header.Columns) + j] = value;
            values[(j * header.Columns) + i] = header.Symmetry == MatrixMarketSymmetry.SkewSymmetric ? -value : value;
        }

        return new DenseMatrix(header.Rows, header.Columns, values);
    }

    private static void ReadArrayValues(LineSource lines, MatrixMarketHeader header, Action<int, int, double> store)
    {
        bool integer = header.Field == MatrixMarketField.Integer;
        Span<Range> fields = stackalloc Range[2];
        long found = 0;
        foreach (var (i, j) in ArrayPositions(header))
        {
            string line = lines.NextDataLine(fields, out int count)
                ?? throw lines.Error($"truncated data: expected {header.Entries} entries, found {found}");
            if (count != 1)
            {
                throw lines.Error($"an array entry must be a single value, found {count} fields");
            }

            store(i, j, lines.ParseValue(line.AsSpan(fields[0]), integer));
            found++;
        }

        lines.RequireEnd();
    }

    /// <summary>The positions an array file lists, in its order: column by column, the stored triangle only.</summary>
    private static IEnumerable<(int Row, int Column)> ArrayPositions(MatrixMarketHeader header)
    {
        for (int j = 0; j < header.Columns; j++)
        {
            int first = header.Symmetry switch
            {
                MatrixMarketSymmetry.General => 0,
                MatrixMarketSymmetry.Symmetric => j,
                _ => j + 1,
            };
            for (int i = first; i < header.Rows; i++)
            {
                yield return (i, j);
            }
        }
    }

    private static void AddMirrored(CsrBuilder builder, MatrixMarketSymmetry symmetry, int i, int j, double value)
    {
        builder.Add(i, j, value);
        if (i != j && symmetry != MatrixMarketSymmetry.General)
        {
            builder.Add(j, i, symmetry == MatrixMarketSymmetry.SkewSymmetric ? -value : value);
        }
    }

    private static CsrMatrix Build(LineSource lines, CsrBuilder builder)
    {
        try
        {
            return builder.Build();
        }
        catch (OverflowException e)
        {
            throw lines.Error($"repeated entries overflow: {e.Message}");
        }
    }

    private static string Describe(MatrixMarketSymmetry symmetry) => symmetry switch
    {
        MatrixMarketSymmetry.Symmetric => "symmetric",
        MatrixMarketSymmetry.SkewSymmetric => "skew-symmetric",
        _ => "general",
    };

    /// <summary>Hands out lines with their numbers so that every error can say where it happened.</summary>
    private sealed class LineSource(TextReader reader, string source, long? charactersLeft)
    {
        private const string Separators = " \t\r\f\v";
        private int lineNumber;
        private long consumed;

        public string Source => source;

        /// <summary>An upper bound on the characters not read yet, when the input's length is known.</summary>
        public long? CharactersLeft => charactersLeft - consumed;

        public string? NextRawLine()
        {
            string? line = reader.ReadLine();
            if (line is not null)
            {
                lineNumber++;
                consumed += line.Length + 1;
            }

            return line;
        }

        /// <summary>
        /// The next line that is neither blank nor a comment, with its white-space separated fields in
        /// <paramref name="fields"/> (<paramref name="count"/> exceeds the expected number when there are more); null at the end.
        /// </summary>
        public string? NextDataLine(Span<Range> fields, out int count)
        {
            while (NextRawLine() is { } line)
            {
                var trimmed = line.AsSpan().TrimStart(Separators);
                if (trimmed.IsEmpty || trimmed[0] == '%')
                {
                    continue;
                }

                count = line.AsSpan().SplitAny(fields, Separators, StringSplitOptions.RemoveEmptyEntries);
                return line;
            }

            count = 0;
            return null;
        }

        public void RequireEnd()
        {
            Span<Range> fields = stackalloc Range[1];
            if (NextDataLine(fields, out _) is not null)
            {
                throw Error("wrong entry count: there is data after the last expected entry");
            }
        }

        public long ParseCount(ReadOnlySpan<char> text, string what)
        {
            if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value))
            {
                throw Error($"the {what} count '{text}' is not a non-negative integer");
            }

            return value;
        }

        public int ParseIndex(ReadOnlySpan<char> text, string what, int limit)
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

        public double ParseValue(ReadOnlySpan<char> text, bool integer)
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

            // The location text is built only for the error: this runs once per entry.
            if (!double.IsFinite(value))
            {
                MatrixFiles.CheckFiniteValue(value, $"{source}, line {lineNumber}");
            }

            return value;
        }

        public MatrixFormatException Error(string message) => new($"{source}, line {lineNumber}: {message}.");
    }
}
