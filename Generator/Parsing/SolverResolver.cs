using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using GenLu.Generator.Model;
using GenLu.Structure;

namespace GenLu.Generator.Parsing;

/// <summary>Joins a target with its weight file: first by path (which file the attribute names), then with the
/// parsed file (the plan to emit, or the diagnostics explaining why not).</summary>
internal static class SolverResolver
{
    /// <summary>Which <c>*.gfmm.json</c> item the target's attribute names, from the items' paths only.</summary>
    public static TargetLocation Locate(SolverTarget target, EquatableArray<string> weightFilePaths, string? projectDirectory)
    {
        string? path = PathMatcher.Find(target.ModelPath, target.DeclaringDirectory, projectDirectory, weightFilePaths, out string reason);
        return new TargetLocation(target, path, reason);
    }

    /// <summary>The normalized paths some attribute names, sorted and distinct: the only files the generator reads.</summary>
    public static EquatableArray<string> ReferencedPaths(ImmutableArray<TargetLocation> locations) =>
        new(locations.Select(location => location.WeightFilePath).OfType<string>()
            .Distinct(StringComparer.Ordinal).OrderBy(path => path, StringComparer.Ordinal).ToArray());

    /// <summary>The referenced paths the generator must read itself: those the build step has no manifest for.</summary>
    public static EquatableArray<string> WithoutManifests(EquatableArray<string> referenced, EquatableArray<WeightFile> manifests) =>
        new(referenced.Where(path => !manifests.Any(manifest => SamePath(manifest.NormalizedPath, path))).ToArray());

    /// <summary>Joins a located target with its weight file — the build step's manifest when there is one, else the file
    /// the generator parsed — and decides how its code is laid out.</summary>
    public static SolverResult Resolve(TargetLocation location, ImmutableArray<WeightFile> files, EquatableArray<WeightFile> manifests, GenerationOptions options)
    {
        var target = location.Target;
        var attribute = target.AttributeLocation;
        var diagnostics = new List<DiagnosticInfo>();
        if (!target.IsStaticPartial)
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.TargetNotStaticPartial, attribute, target.FullName));

        var file = location.WeightFilePath is { } path
            ? manifests.FirstOrDefault(f => SamePath(f.NormalizedPath, path)) ?? files.FirstOrDefault(f => f.NormalizedPath == path)
            : null;
        if (file is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.WeightFileNotFound, attribute, target.ModelPath, location.Reason));
            return Done(null, diagnostics);
        }
        if (file.Problem is { } problem)
        {
            var args = new List<string> { target.ModelPath };
            args.AddRange(problem.Details);
            diagnostics.Add(new DiagnosticInfo(problem.DiagnosticId, attribute, new EquatableArray<string>(args.ToArray())));
            return Done(null, diagnostics);
        }

        var content = InPrecision(file.Content!, target, diagnostics);
        if (content is null) return Done(null, diagnostics);
        bool looped = content.M > options.UnrollMaxLeaves;
        if (content.Resource is not null && !options.AllowUnsafe)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.EmbeddedDataNeedsUnsafe, attribute, target.ModelPath));
            return Done(null, diagnostics);
        }
        long source = GeneratedSize.SourceCharacters(content.M, content.EmbeddedBytes, literalData: content.Resource is null, looped);
        if (content.Resource is null && (content.EmbeddedBytes > GeneratedSize.WarningEmbeddedBytes || source > GeneratedSize.WarningSourceCharacters))
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.ModelTooLarge, attribute, target.ModelPath,
                content.EmbeddedBytes.ToString("N0", CultureInfo.InvariantCulture),
                GeneratedSize.Megabytes(source),
                GeneratedSize.WarningEmbeddedBytes.ToString("N0", CultureInfo.InvariantCulture),
                GeneratedSize.Megabytes(GeneratedSize.WarningSourceCharacters)));

        return Done(target.IsStaticPartial ? new SolverPlan(target, content, looped) : null, diagnostics);
    }

    /// <summary>The content in the number type the attribute asks for: as read (the file's dtype), or a float32 file's
    /// weights widened to double with the G_i factored again in double. Null, with the diagnostic added, when the request
    /// cannot be met.</summary>
    private static WeightContent? InPrecision(WeightContent content, SolverTarget target, List<DiagnosticInfo> diagnostics)
    {
        var attribute = target.AttributeLocation;
        switch (target.Precision)
        {
            case RequestedPrecision.FromWeightFile:
                return content;
            case RequestedPrecision.Single when content.Dtype == GfmmDtype.Float32:
                return content;
            case RequestedPrecision.Single:
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.PrecisionMismatch, attribute, target.ModelPath,
                    "the file holds float64 weights, and Precision = GfmmPrecision.Single would round them to float, losing digits; leave Precision out for a double solver, or write the model as float32"));
                return null;
            case RequestedPrecision.Double when content.Dtype == GfmmDtype.Float64:
                return content;
            case RequestedPrecision.Double when content.Resource is not null:
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.PrecisionMismatch, attribute, target.ModelPath,
                    "Precision = GfmmPrecision.Double asks for a double solver, but the build step embedded the float32 file as a resource of float32 numbers; write the model as float64 (for example genlu factor --dtype float64), or embed it as source with GenLuEmbed=\"Source\" on its AdditionalFiles item"));
                return null;
            case RequestedPrecision.Double:
                var widened = WeightFileParser.Widened(content, out string? failure);
                if (widened is null)
                    diagnostics.Add(DiagnosticInfo.Create(Diagnostics.SingularDiagonalBlock, attribute, target.ModelPath, failure!));
                return widened;
            default:
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.PrecisionMismatch, attribute, target.ModelPath,
                    $"Precision = {((int)target.Precision).ToString(CultureInfo.InvariantCulture)} is not a GenLu.GfmmPrecision value (FromWeightFile, Single or Double)"));
                return null;
        }
    }

    private static bool SamePath(string left, string right) => string.Equals(left, right, StringComparison.OrdinalIgnoreCase);

    private static SolverResult Done(SolverPlan? plan, List<DiagnosticInfo> diagnostics) =>
        new(plan, new EquatableArray<DiagnosticInfo>(diagnostics.ToArray()));
}
