// Shared source: compiled into GenLu.Generator (netstandard2.0) and the genlu-embed build tool (net10.0).
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace GenLu.Generator.Embedding;

/// <summary>
/// The binary resource a large model's data travels in (written by the genlu-embed build step, read in place by the
/// generated code), little-endian: a header of <see cref="HeaderWords"/> int32 words — <see cref="Magic"/>,
/// <see cref="Version"/>, M, P, N, then the lengths in elements of the sections that follow in
/// <see cref="EmbeddedDataLayout"/>'s order (weights, factors, reciprocals: numbers of the solver's type; pivots, step
/// tables: int32), then each plan's first int and length within the step tables, then the number type
/// (<see cref="DtypeWord"/>: 0 float32, 1 float64; the unused words of files written before float64 were 0) — followed by the weight file's tensor-payload SHA-256 as 64 ASCII hex
/// digits and the sections. The generated code compares every header word and the checksum with its own constants at
/// first use, so a stale or foreign resource is refused before any weight is read.
/// </summary>
internal static class EmbeddedResourceFormat
{
    /// <summary>"GLUE" read as a little-endian uint.</summary>
    public const uint Magic = 0x45554C47;

    public const int Version = 1;

    public const int HeaderWords = 32;
    public const int ChecksumBytes = 64;

    /// <summary>Where the first section starts.</summary>
    public const int DataOffset = HeaderWords * 4 + ChecksumBytes;

    // Header word indices.
    public const int MagicWord = 0, VersionWord = 1, MWord = 2, PWord = 3, NWord = 4;
    public const int WeightsWord = 5, FactorsWord = 6, InverseDiagonalsWord = 7, PivotsWord = 8, StepsWord = 9;
    public const int PlanStartsWord = 10, PlanLengthsWord = 18, DtypeWord = 26;

    /// <summary>The header of a resource with these section lengths (elements), plan tables and number type.</summary>
    public static int[] Header(int m, int p, int n, int weights, int factors, int inverseDiagonals, int pivots, IReadOnlyList<int[]> stepTables,
        GenLu.Structure.GfmmDtype dtype)
    {
        var header = new int[HeaderWords];
        header[MagicWord] = unchecked((int)Magic);
        header[VersionWord] = Version;
        header[MWord] = m;
        header[PWord] = p;
        header[NWord] = n;
        header[WeightsWord] = weights;
        header[FactorsWord] = factors;
        header[InverseDiagonalsWord] = inverseDiagonals;
        header[PivotsWord] = pivots;
        long start = 0;
        for (int i = 0; i < stepTables.Count; i++)
        {
            header[PlanStartsWord + i] = checked((int)start);
            header[PlanLengthsWord + i] = stepTables[i].Length;
            start += stepTables[i].Length;
        }
        header[StepsWord] = checked((int)start);
        header[DtypeWord] = (int)dtype;
        return header;
    }

    /// <summary>The number type a header names, or null for a word that names none.</summary>
    public static GenLu.Structure.GfmmDtype? Dtype(int[] header) =>
        header[DtypeWord] switch
        {
            (int)GenLu.Structure.GfmmDtype.Float32 => GenLu.Structure.GfmmDtype.Float32,
            (int)GenLu.Structure.GfmmDtype.Float64 => GenLu.Structure.GfmmDtype.Float64,
            _ => null,
        };

    /// <summary>Bytes per number of the first three sections: 4 (float32) or 8 (float64).</summary>
    public static int NumberBytes(int[] header) => Dtype(header) == GenLu.Structure.GfmmDtype.Float64 ? 8 : 4;

    /// <summary>Bytes of the whole resource with this header.</summary>
    public static long Length(int[] header) =>
        DataOffset + (long)NumberBytes(header) * ((long)header[WeightsWord] + header[FactorsWord] + header[InverseDiagonalsWord])
        + 4L * ((long)header[PivotsWord] + header[StepsWord]);
}

/// <summary>
/// What the build step tells the generator about one weight file it turned into a resource (a small text file passed
/// as an AdditionalFiles item named <c>*.gfmm.manifest</c>): where the data is and everything the generator needs to
/// emit code for it — the shape, scale, checksum, determinant, which tensors are stored and the resource's header —
/// so the compiler never reads the weight file itself. A weight file the build step could not use is described by
/// its problem (a GLU id and message) instead, reported only if an attribute names it.
/// </summary>
internal sealed class EmbeddedModelManifest
{
    public const string Extension = ".gfmm.manifest";
    private const string FirstLine = "genlu-embedded-model 1";

    public string Source { get; set; } = "";
    public string? ProblemId { get; set; }
    public string? ProblemDetail { get; set; }
    public string ResourceName { get; set; } = "";
    public int M { get; set; }
    public int P { get; set; }
    public int N { get; set; }
    public double Scale { get; set; }
    public string Sha256 { get; set; } = "";
    public int DeterminantSign { get; set; }
    public double LogAbsDeterminant { get; set; }
    public bool[] LowerStored { get; set; } = [];
    public bool[] UpperStored { get; set; } = [];
    public int[] Header { get; set; } = [];

    /// <summary>The sparse kernels' patterns; absent lines (a manifest of an earlier build step) mean none, which is
    /// always correct: the resource holds every tensor densely and the dense kernels read any of them.</summary>
    public SparsePatterns Sparsity { get; set; } = SparsePatterns.None;

    public string Write()
    {
        var text = new StringBuilder();
        text.Append(FirstLine).Append('\n');
        Line(text, "source", Source);
        if (ProblemId is not null)
        {
            Line(text, "problem", ProblemId);
            Line(text, "detail", (ProblemDetail ?? "").Replace('\n', ' ').Replace('\r', ' '));
            return text.ToString();
        }
        Line(text, "resource", ResourceName);
        Line(text, "m", M.ToString(CultureInfo.InvariantCulture));
        Line(text, "p", P.ToString(CultureInfo.InvariantCulture));
        Line(text, "n", N.ToString(CultureInfo.InvariantCulture));
        Line(text, "scale", Scale.ToString("R", CultureInfo.InvariantCulture));
        Line(text, "sha256", Sha256);
        Line(text, "determinantSign", DeterminantSign.ToString(CultureInfo.InvariantCulture));
        Line(text, "logAbsDeterminant", LogAbsDeterminant.ToString("R", CultureInfo.InvariantCulture));
        Line(text, "lowerStored", Mask(LowerStored));
        Line(text, "upperStored", Mask(UpperStored));
        var words = new string[Header.Length];
        for (int i = 0; i < words.Length; i++) words[i] = Header[i].ToString(CultureInfo.InvariantCulture);
        Line(text, "header", string.Join(",", words));
        if (!Sparsity.IsEmpty)
        {
            Line(text, "productPatterns", SparsePatterns.WritePatterns(Sparsity.Products));
            Line(text, "solveLowerPatterns", SparsePatterns.WritePatterns(Sparsity.SolveLower));
            Line(text, "solveUpperPatterns", SparsePatterns.WritePatterns(Sparsity.SolveUpper));
            Line(text, "lowerPatterns", SparsePatterns.WriteAssignment(Sparsity.LowerTensors));
            Line(text, "upperPatterns", SparsePatterns.WriteAssignment(Sparsity.UpperTensors));
            Line(text, "blockPatterns", SparsePatterns.WriteAssignment(Sparsity.Blocks));
        }
        return text.ToString();
    }

    /// <summary>Reads a manifest; null with <paramref name="error"/> set when it is not one this generator understands.</summary>
    public static EmbeddedModelManifest? Parse(string text, out string error)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n');
        if (lines.Length == 0 || lines[0] != FirstLine)
        {
            error = $"it does not start with '{FirstLine}' (written by another version of the build step?)";
            return null;
        }
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            int space = lines[i].IndexOf(' ');
            if (space <= 0)
            {
                error = $"line {i + 1} is not 'key value'";
                return null;
            }
            fields[lines[i].Substring(0, space)] = lines[i].Substring(space + 1);
        }
        var manifest = new EmbeddedModelManifest();
        try
        {
            manifest.Source = Required(fields, "source");
            if (fields.TryGetValue("problem", out string? problem))
            {
                manifest.ProblemId = problem;
                manifest.ProblemDetail = fields.TryGetValue("detail", out string? detail) ? detail : "";
                error = "";
                return manifest;
            }
            manifest.ResourceName = Required(fields, "resource");
            manifest.M = int.Parse(Required(fields, "m"), CultureInfo.InvariantCulture);
            manifest.P = int.Parse(Required(fields, "p"), CultureInfo.InvariantCulture);
            manifest.N = int.Parse(Required(fields, "n"), CultureInfo.InvariantCulture);
            manifest.Scale = double.Parse(Required(fields, "scale"), NumberStyles.Float, CultureInfo.InvariantCulture);
            manifest.Sha256 = Required(fields, "sha256");
            manifest.DeterminantSign = int.Parse(Required(fields, "determinantSign"), CultureInfo.InvariantCulture);
            manifest.LogAbsDeterminant = double.Parse(Required(fields, "logAbsDeterminant"), NumberStyles.Float, CultureInfo.InvariantCulture);
            manifest.LowerStored = Unmask(Required(fields, "lowerStored"));
            manifest.UpperStored = Unmask(Required(fields, "upperStored"));
            var words = Required(fields, "header").Split(',');
            if (words.Length != EmbeddedResourceFormat.HeaderWords) throw new FormatException($"header has {words.Length} words, not {EmbeddedResourceFormat.HeaderWords}");
            manifest.Header = new int[words.Length];
            for (int i = 0; i < words.Length; i++) manifest.Header[i] = int.Parse(words[i], CultureInfo.InvariantCulture);
            if (fields.TryGetValue("productPatterns", out string? products)) manifest.Sparsity = ReadSparsity(fields, products, manifest.M, manifest.P);
        }
        catch (Exception e) when (e is FormatException || e is OverflowException || e is KeyNotFoundException || e is ArgumentOutOfRangeException)
        {
            error = e.Message;
            return null;
        }
        error = "";
        return manifest;
    }

    private static SparsePatterns ReadSparsity(Dictionary<string, string> fields, string products, int m, int p)
    {
        var productPatterns = SparsePatterns.ReadPatterns(products, p);
        var solveLower = SparsePatterns.ReadPatterns(Required(fields, "solveLowerPatterns"), p);
        var solveUpper = SparsePatterns.ReadPatterns(Required(fields, "solveUpperPatterns"), p);
        if (solveLower.Length != solveUpper.Length) throw new FormatException("the solve patterns' two triangles differ in number");
        int lowerTensors = new GenLu.Structure.GfmmLayout(GenLu.Structure.GfmmKind.Lower, m, p).TensorCount;
        int upperTensors = new GenLu.Structure.GfmmLayout(GenLu.Structure.GfmmKind.Upper, m, p).TensorCount;
        return new SparsePatterns(productPatterns, solveLower, solveUpper,
            SparsePatterns.ReadAssignment(Required(fields, "lowerPatterns"), lowerTensors, productPatterns.Length),
            SparsePatterns.ReadAssignment(Required(fields, "upperPatterns"), upperTensors, productPatterns.Length),
            SparsePatterns.ReadAssignment(Required(fields, "blockPatterns"), 2 * m, solveLower.Length));
    }

    private static void Line(StringBuilder text, string key, string value) => text.Append(key).Append(' ').Append(value).Append('\n');

    private static string Required(Dictionary<string, string> fields, string key) =>
        fields.TryGetValue(key, out string? value) ? value : throw new KeyNotFoundException($"the field '{key}' is missing");

    /// <summary>The count, then the mask as hex digits, four tensors per digit (tensor 4k + j is bit j of digit k).</summary>
    private static string Mask(bool[] stored)
    {
        var text = new StringBuilder(stored.Length / 4 + 12);
        text.Append(stored.Length.ToString(CultureInfo.InvariantCulture)).Append(':');
        for (int i = 0; i < stored.Length; i += 4)
        {
            int digit = 0;
            for (int j = 0; j < 4 && i + j < stored.Length; j++) if (stored[i + j]) digit |= 1 << j;
            text.Append("0123456789abcdef"[digit]);
        }
        return text.ToString();
    }

    private static bool[] Unmask(string text)
    {
        int colon = text.IndexOf(':');
        if (colon <= 0) throw new FormatException("a stored-tensor mask has no count");
        int count = int.Parse(text.Substring(0, colon), CultureInfo.InvariantCulture);
        if (count < 0 || text.Length - colon - 1 != (count + 3) / 4) throw new FormatException("a stored-tensor mask has the wrong length");
        var stored = new bool[count];
        for (int i = 0; i < count; i++)
        {
            int digit = "0123456789abcdef".IndexOf(text[colon + 1 + i / 4]);
            if (digit < 0) throw new FormatException("a stored-tensor mask holds a character that is not a hex digit");
            stored[i] = (digit >> (i % 4) & 1) != 0;
        }
        return stored;
    }
}
