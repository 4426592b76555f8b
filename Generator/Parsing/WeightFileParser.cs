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
        if (WeightFileHeader.TryReadShape(json, out int m, out int p) && GeneratedSize.EmbeddedBytes(m, p) is { } embedded)
        {
            long source = GeneratedSize.SourceCharacters(m, embedded);
            if (source > GeneratedSize.MaxSourceCharacters)
                return new WeightFile(path, null, new WeightFileProblem(Diagnostics.ModelTooLargeToGenerate.Id, new EquatableArray<string>(
                    [Invariant(m), Invariant(p), embedded.ToString("N0", CultureInfo.InvariantCulture),
                     GeneratedSize.Megabytes(source), GeneratedSize.Megabytes(GeneratedSize.MaxSourceCharacters)])));
        }
        try
        {
            return FromContent(path, GfmmFile.Parse(json));
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

    /// <summary>Factors every G_i of L and U with the Runtime's rule (<see cref="DiagonalBlockFactors"/>); a rejected
    /// one becomes GLU008 with the message the Runtime's SingularBlockException carries.</summary>
    internal static WeightFile FromContent(string path, GfmmFileContent content)
    {
        var lower = DiagonalBlockFactors.TryCreate(content.Lower, out var failure);
        var upper = lower is null ? null : DiagonalBlockFactors.TryCreate(content.Upper, out failure);
        if (lower is null || upper is null)
            return new WeightFile(path, null, new WeightFileProblem(Diagnostics.SingularDiagonalBlock.Id, new EquatableArray<string>([failure!.Message])));
        var (sign, logAbs) = DiagonalBlockFactors.LogDeterminant(lower, upper, content.N, content.Scale);
        return new WeightFile(path, new WeightContent(
            content.M, content.P, content.N, content.Scale, content.Sha256,
            new EquatableArray<float>(content.Lower.Values), Stored(content.Lower),
            new EquatableArray<float>(content.Upper.Values), Stored(content.Upper),
            Packed(lower), Packed(upper),
            sign, logAbs), null);
    }

    private static EquatableArray<int> Stored(GfmmTensorStore store)
    {
        var stored = new int[store.StoredTensorCount];
        for (int t = 0, k = 0; t < store.Layout.TensorCount; t++)
            if (store.IsStored(t)) stored[k++] = t;
        return new EquatableArray<int>(stored);
    }

    private static PackedDiagonal Packed(DiagonalBlockFactors factors) => new(
        new EquatableArray<float>(factors.FactorsTransposed), new EquatableArray<float>(factors.InverseDiagonal), new EquatableArray<int>(factors.Pivots));

    private static WeightFile Failed(string path, DiagnosticDescriptor descriptor, string detail) =>
        new(path, null, new WeightFileProblem(descriptor.Id, new EquatableArray<string>([detail])));

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
