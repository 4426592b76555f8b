using System;
using System.Threading;
using GenLu.Generator.Embedding;
using GenLu.Generator.Model;
using GenLu.Structure;
using Microsoft.CodeAnalysis;

namespace GenLu.Generator.Parsing;

/// <summary>Reads the <c>*.gfmm.manifest</c> the build step writes for a weight file it embedded as a resource
/// (<see cref="EmbeddedModelManifest"/>): the generator then takes everything it needs from the manifest and never
/// reads the weight file. A manifest that cannot be read, or whose header disagrees with its own shape, is GLU012.</summary>
internal static class ManifestReader
{
    public static bool IsManifest(string path) => path.EndsWith(EmbeddedModelManifest.Extension, StringComparison.OrdinalIgnoreCase);

    /// <summary>The weight file the manifest describes, or null when it does not even say which file that is.</summary>
    public static WeightFile? Read(AdditionalText file, CancellationToken cancellationToken)
    {
        string? text = file.GetText(cancellationToken)?.ToString();
        if (text is null) return null;
        var manifest = EmbeddedModelManifest.Parse(text, out string error);
        string? source = manifest?.Source ?? SourceLine(text);
        if (source is null) return null;
        string path = PathMatcher.Normalize(source);
        if (manifest is null) return Unusable(path, file.Path, error);
        if (manifest.ProblemId is { } id)
            return new WeightFile(path, null, new WeightFileProblem(id, new EquatableArray<string>([manifest.ProblemDetail ?? ""])));
        return FromManifest(path, file.Path, manifest);
    }

    internal static WeightFile FromManifest(string path, string manifestPath, EmbeddedModelManifest manifest)
    {
        GfmmLayout lower, upper;
        try
        {
            lower = new GfmmLayout(GfmmKind.Lower, manifest.M, manifest.P);
            upper = new GfmmLayout(GfmmKind.Upper, manifest.M, manifest.P);
        }
        catch (ArgumentOutOfRangeException e)
        {
            return Unusable(path, manifestPath, "its shape is invalid: " + e.Message);
        }
        var header = manifest.Header;
        var lowerStored = EmbeddedDataLayout.StoredIndices(manifest.LowerStored);
        var upperStored = EmbeddedDataLayout.StoredIndices(manifest.UpperStored);
        long weights = ((long)lowerStored.Length + upperStored.Length) * lower.TensorSize;
        if (manifest.LowerStored.Length != lower.TensorCount || manifest.UpperStored.Length != upper.TensorCount)
            return Unusable(path, manifestPath, "its stored-tensor masks do not fit M and P");
        if (header[EmbeddedResourceFormat.MagicWord] != unchecked((int)EmbeddedResourceFormat.Magic) || header[EmbeddedResourceFormat.VersionWord] != EmbeddedResourceFormat.Version)
            return Unusable(path, manifestPath, $"its resource format is not version {EmbeddedResourceFormat.Version} (written by another version of the build step?)");
        if (header[EmbeddedResourceFormat.MWord] != manifest.M || header[EmbeddedResourceFormat.PWord] != manifest.P || header[EmbeddedResourceFormat.NWord] != manifest.N
            || header[EmbeddedResourceFormat.WeightsWord] != weights)
            return Unusable(path, manifestPath, "its resource header disagrees with its shape or stored tensors");
        if (manifest.N < 1 || manifest.N > lower.N || manifest.Sha256.Length != EmbeddedResourceFormat.ChecksumBytes)
            return Unusable(path, manifestPath, "its order or checksum is invalid");
        if (EmbeddedResourceFormat.Dtype(header) is not { } dtype)
            return Unusable(path, manifestPath, $"its resource header names no number type (word {EmbeddedResourceFormat.DtypeWord} is {header[EmbeddedResourceFormat.DtypeWord]})");

        var empty = new PackedDiagonal(EquatableArray<double>.Empty, EquatableArray<double>.Empty, EquatableArray<int>.Empty);
        return new WeightFile(path, new WeightContent(
            manifest.M, manifest.P, manifest.N, manifest.Scale, manifest.Sha256, dtype,
            EquatableArray<double>.Empty, new EquatableArray<int>(lowerStored),
            EquatableArray<double>.Empty, new EquatableArray<int>(upperStored),
            empty, empty, manifest.DeterminantSign, manifest.LogAbsDeterminant, manifest.Sparsity,
            new ResourceData(manifest.ResourceName, new EquatableArray<int>(header))), null);
    }

    private static WeightFile Unusable(string path, string manifestPath, string reason) =>
        new(path, null, new WeightFileProblem(Diagnostics.UnusableEmbeddedData.Id, new EquatableArray<string>([PathMatcher.Normalize(manifestPath), reason])));

    private static string? SourceLine(string text)
    {
        foreach (string line in text.Replace("\r\n", "\n").Split('\n'))
            if (line.StartsWith("source ", StringComparison.Ordinal)) return line.Substring("source ".Length);
        return null;
    }
}
