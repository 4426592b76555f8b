using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using GenLu.Generator.Model;

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

        var content = file.Content!;
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

    private static bool SamePath(string left, string right) => string.Equals(left, right, StringComparison.OrdinalIgnoreCase);

    private static SolverResult Done(SolverPlan? plan, List<DiagnosticInfo> diagnostics) =>
        new(plan, new EquatableArray<DiagnosticInfo>(diagnostics.ToArray()));
}
