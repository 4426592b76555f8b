using System;
using System.Globalization;
using System.Threading;
using GenLu.Generator.Embedding;
using GenLu.Generator.Model;
using Microsoft.CodeAnalysis;
using GenLu.Format;
using GenLu.Structure;

namespace GenLu.Generator.Parsing;

/// <summary>Reads one <c>*.gfmm.json</c> AdditionalFiles item that an attribute names: first the header's M and P
/// against the size limit (<see cref="GeneratedSize"/>), then the whole file with the shared <see cref="GfmmFile"/>
/// reader, then it factors the diagonal blocks. Every failure becomes a <see cref="WeightFileProblem"/>; nothing is thrown.</summary>
internal static class WeightFileParser
{
    public const string Extension = ".gfmm.json";

    public static bool IsWeightFile(string path) => path.EndsWith(Extension, StringComparison.OrdinalIgnoreCase);

    public static WeightFile Parse(AdditionalText file, CancellationToken cancellationToken)
    {
        string path = PathMatcher.Normalize(file.Path);
        var text = file.GetText(cancellationToken);
        if (text is null)
            return Failed(path, Diagnostics.MalformedWeightFile, "the compiler could not read the file.");
        string json = text.ToString();
        if (WeightFileHeader.TryReadHeader(json, out int m, out int p, out bool float64) && GeneratedSize.EmbeddedBytes(m, p, float64 ? 8 : 4) is { } embedded)
        {
            long source = GeneratedSize.SourceCharacters(m, embedded);
            if (source > GeneratedSize.MaxSourceCharacters)
                return new WeightFile(path, null, new WeightFileProblem(Diagnostics.ModelTooLargeToGenerate.Id, new EquatableArray<string>(
                    [Invariant(m), Invariant(p), embedded.ToString("N0", CultureInfo.InvariantCulture),
                     GeneratedSize.Megabytes(source), GeneratedSize.Megabytes(GeneratedSize.MaxSourceCharacters)])));
        }
        try
        {
            // Each file in its own type: a float64 file's weights are not rounded here (Precision = Single is refused
            // later, per attribute), and a float32 file is widened only for an attribute that asks for double.
            var root = GfmmFile.ParseJson(json);
            return GfmmFile.ClaimedDtype(root) == GfmmDtype.Float64
                ? FromContent(path, GfmmFile.Read<double>(root))
                : FromContent(path, GfmmFile.Read<float>(root));
        }
        catch (GfmmFormatException e)
        {
            return Failed(path, Diagnostics.ForFormatError(e.Error), WeightFileProblems.Detail(e));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The shared reader reports every defect it knows as GfmmFormatException; anything else (an overflow
            // on an old compiler host, say) is still a malformed file, never a generator crash.
            return Failed(path, Diagnostics.MalformedWeightFile, e.GetType().Name + ": " + e.Message);
        }
    }

    /// <summary>Factors every G_i of L and U with the Runtime's rule (<see cref="DiagonalBlockFactors{T}"/>) in the file's
    /// type; a rejected one becomes GLU008 with the message the Runtime's SingularBlockException carries.</summary>
    internal static WeightFile FromContent<T>(string path, GfmmFileContent<T> content)
        where T : struct, IEquatable<T>
    {
        var factored = Factored(content.M, content.P, content.N, content.Scale, content.Sha256, content.Lower, Stored(content.Lower),
            content.Upper, Stored(content.Upper), out string? failure);
        return factored is null
            ? new WeightFile(path, null, new WeightFileProblem(Diagnostics.SingularDiagonalBlock.Id, new EquatableArray<string>([failure!])))
            : new WeightFile(path, factored, null);
    }

    /// <summary>A float32 file's content as a double solver's (<c>Precision = Double</c>): the same weights, exactly, with
    /// every G_i factored again by the rule for double, as the Runtime factors a float32 file it reads as float64. Null
    /// with the GLU008 message when a block is rejected in double.</summary>
    internal static WeightContent? Widened(WeightContent content, out string? failure)
    {
        var lower = GfmmTensorStore<double>.Sparse(new GfmmLayout(GfmmKind.Lower, content.M, content.P), content.LowerStored.AsSpan().ToArray(), content.Lower.AsSpan().ToArray());
        var upper = GfmmTensorStore<double>.Sparse(new GfmmLayout(GfmmKind.Upper, content.M, content.P), content.UpperStored.AsSpan().ToArray(), content.Upper.AsSpan().ToArray());
        return Factored(content.M, content.P, content.N, content.Scale, content.Sha256, lower, content.LowerStored, upper, content.UpperStored, out failure);
    }

    private static WeightContent? Factored<T>(int m, int p, int n, double scale, string sha256,
        GfmmTensorStore<T> lowerWeights, EquatableArray<int> lowerStored, GfmmTensorStore<T> upperWeights, EquatableArray<int> upperStored, out string? failure)
        where T : struct, IEquatable<T>
    {
        var lower = DiagonalBlockFactors<T>.TryCreate(lowerWeights, out var rejected);
        var upper = lower is null ? null : DiagonalBlockFactors<T>.TryCreate(upperWeights, out rejected);
        if (lower is null || upper is null)
        {
            failure = rejected!.Message;
            return null;
        }
        failure = null;
        var (sign, logAbs) = DiagonalBlockFactors<T>.LogDeterminant(lower, upper, n, scale);
        var sparsity = SparsePatterns.Find<T>(m, p, lowerStored.AsSpan().ToArray(), lowerWeights.Values, upperStored.AsSpan().ToArray(), upperWeights.Values,
            lower.FactorsTransposed, lower.Pivots, upper.FactorsTransposed, upper.Pivots);
        return new WeightContent(
            m, p, n, scale, sha256, TensorScalar<T>.Instance.Dtype,
            Widen(lowerWeights.Values), lowerStored,
            Widen(upperWeights.Values), upperStored,
            Packed(lower), Packed(upper),
            sign, logAbs, sparsity);
    }

    /// <summary>The numbers as doubles (exact for floats), the one form the equatable model holds.</summary>
    private static EquatableArray<double> Widen<T>(T[] values)
        where T : struct, IEquatable<T>
    {
        if (values is double[] doubles) return new EquatableArray<double>(doubles);
        var scalar = TensorScalar<T>.Instance;
        var widened = new double[values.Length];
        for (int i = 0; i < values.Length; i++) widened[i] = scalar.Widen(values[i]);
        return new EquatableArray<double>(widened);
    }

    private static EquatableArray<int> Stored<T>(GfmmTensorStore<T> store)
        where T : struct, IEquatable<T>
    {
        var stored = new int[store.StoredTensorCount];
        for (int t = 0, k = 0; t < store.Layout.TensorCount; t++)
            if (store.IsStored(t)) stored[k++] = t;
        return new EquatableArray<int>(stored);
    }

    private static PackedDiagonal Packed<T>(DiagonalBlockFactors<T> factors)
        where T : struct, IEquatable<T> =>
        new(Widen(factors.FactorsTransposed), Widen(factors.InverseDiagonal), new EquatableArray<int>(factors.Pivots));

    private static WeightFile Failed(string path, DiagnosticDescriptor descriptor, string detail) =>
        new(path, null, new WeightFileProblem(descriptor.Id, new EquatableArray<string>([detail])));

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
