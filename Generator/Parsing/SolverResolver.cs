using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using GenLu.Generator.Model;

namespace GenLu.Generator.Parsing;

/// <summary>Joins a target with its weight file: the plan to emit, or the diagnostics explaining why not.</summary>
internal static class SolverResolver
{
    public static SolverResult Resolve(SolverTarget target, ImmutableArray<WeightFile> files, string? projectDirectory)
    {
        var location = target.AttributeLocation;
        var diagnostics = new List<DiagnosticInfo>();
        if (!target.IsStaticPartial)
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.TargetNotStaticPartial, location, target.FullName));

        var file = PathMatcher.Find(target.ModelPath, target.DeclaringDirectory, projectDirectory, files, out string reason);
        if (file is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.WeightFileNotFound, location, target.ModelPath, reason));
            return Done(null, diagnostics);
        }
        if (file.Problem is { } problem)
        {
            var args = new List<string> { target.ModelPath };
            args.AddRange(problem.Details);
            diagnostics.Add(new DiagnosticInfo(problem.DiagnosticId, location, new EquatableArray<string>(args.ToArray())));
            return Done(null, diagnostics);
        }

        var content = file.Content!;
        if (content.EmbeddedBytes > Diagnostics.LargeModelBytes)
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.ModelTooLarge, location, target.ModelPath,
                content.EmbeddedBytes.ToString("N0", CultureInfo.InvariantCulture),
                Diagnostics.LargeModelBytes.ToString("N0", CultureInfo.InvariantCulture),
                // Each embedded 4-byte float is written as "0x3F800000," (11 characters, 2.75 per byte).
                (content.EmbeddedBytes * 2.75 / 1e6).ToString("F0", CultureInfo.InvariantCulture)));

        return Done(target.IsStaticPartial ? new SolverPlan(target, content) : null, diagnostics);
    }

    private static SolverResult Done(SolverPlan? plan, List<DiagnosticInfo> diagnostics) =>
        new(plan, new EquatableArray<DiagnosticInfo>(diagnostics.ToArray()));
}
