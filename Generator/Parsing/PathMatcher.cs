using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using GenLu.Generator.Model;

namespace GenLu.Generator.Parsing;

/// <summary>
/// Finds the AdditionalFiles item an attribute's path names. All paths are compared normalized: '/' as
/// separator, "." and ".." segments resolved, case-insensitively (a project cannot rely on case alone to tell
/// weight files apart on Windows and macOS). The rule, first match wins:
/// <list type="number">
/// <item>a rooted path is taken as is;</item>
/// <item>the path relative to the directory of the file that declares the class;</item>
/// <item>the path relative to the project directory (<c>build_property.ProjectDir</c>);</item>
/// <item>otherwise the one item whose path ends with the given path at a segment boundary
/// (<c>models/a.gfmm.json</c> matches <c>/repo/src/models/a.gfmm.json</c>, not <c>/repo/src/mymodels/a.gfmm.json</c>);
/// two or more such items are ambiguous and nothing matches.</item>
/// </list>
/// </summary>
internal static class PathMatcher
{
    public static string Normalize(string path)
    {
        string slashed = path.Replace('\\', '/');
        bool rooted = slashed.StartsWith("/", StringComparison.Ordinal);
        var segments = new List<string>();
        foreach (string segment in slashed.Split('/'))
        {
            if (segment.Length == 0 || segment == ".") continue;
            if (segment == ".." && segments.Count > 0 && segments[segments.Count - 1] != "..") segments.RemoveAt(segments.Count - 1);
            else segments.Add(segment);
        }
        return (rooted ? "/" : "") + string.Join("/", segments);
    }

    /// <summary>Whether a normalized path is absolute ("/x" or a drive "C:/x").</summary>
    public static bool IsRooted(string normalized) =>
        normalized.StartsWith("/", StringComparison.Ordinal) || (normalized.Length >= 2 && normalized[1] == ':');

    /// <summary>The matching item's normalized path, or null with <paramref name="reason"/> saying what was looked for
    /// and what would help.</summary>
    /// <param name="paths">The normalized paths of the <c>*.gfmm.json</c> AdditionalFiles items.</param>
    public static string? Find(string attributePath, string declaringDirectory, string? projectDirectory,
        EquatableArray<string> paths, out string reason)
    {
        string wanted = Normalize(attributePath);
        if (wanted.Length == 0)
        {
            reason = "the attribute's path is empty.";
            return null;
        }

        var candidates = new List<string>();
        if (IsRooted(wanted)) candidates.Add(wanted);
        else
        {
            if (declaringDirectory.Length > 0) candidates.Add(Normalize(declaringDirectory + "/" + wanted));
            if (!string.IsNullOrEmpty(projectDirectory)) candidates.Add(Normalize(projectDirectory + "/" + wanted));
        }
        foreach (string candidate in candidates)
            foreach (string path in paths)
                if (string.Equals(path, candidate, StringComparison.OrdinalIgnoreCase)) { reason = ""; return path; }

        string suffix = "/" + wanted.TrimStart('/');
        var bySuffix = paths.Where(path => path.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                                           || string.Equals(path, wanted, StringComparison.OrdinalIgnoreCase)).ToList();
        if (bySuffix.Count == 1) { reason = ""; return bySuffix[0]; }

        reason = bySuffix.Count > 1
            ? "it is ambiguous; " + bySuffix.Count + " items end with it (" + string.Join(", ", bySuffix) + "). Give a longer path."
            : "no item is at " + (candidates.Count > 0 ? string.Join(" or ", candidates) : wanted)
              + " or ends with '" + wanted + "' (" + paths.Count + " *.gfmm.json items seen). " + Suggestion(wanted, candidates, projectDirectory);
        return null;
    }

    /// <summary>What makes the file visible: only <c>*.gfmm.json</c> names are read at all, and an
    /// <c>AdditionalFiles</c> item's path is relative to the project file, not to the source file that names it.</summary>
    private static string Suggestion(string wanted, List<string> candidates, string? projectDirectory)
    {
        if (!WeightFileParser.IsWeightFile(wanted))
            return "Only AdditionalFiles named *.gfmm.json are read: rename the file (and the attribute's path) to end in .gfmm.json.";
        var includes = candidates.Select(candidate => RelativeTo(candidate, projectDirectory)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (includes.Count == 0) includes.Add(wanted);
        return "Add " + string.Join(" or ", includes.Select(include => "<AdditionalFiles Include=\"" + include + "\" />"))
               + (includes.Count > 1 ? " (whichever is the file)" : "")
               + " to the project file (an item's path is relative to the project file, not to this source file), or import GenLu.Generator.props, which adds every **/*.gfmm.json of the project; only items named *.gfmm.json are read.";
    }

    /// <summary>The path relative to the project directory when it lies inside it; otherwise the path itself.</summary>
    private static string RelativeTo(string path, string? projectDirectory)
    {
        if (string.IsNullOrEmpty(projectDirectory)) return path;
        string root = Normalize(projectDirectory!).TrimEnd('/') + "/";
        return path.StartsWith(root, StringComparison.OrdinalIgnoreCase) ? path.Substring(root.Length) : path;
    }
}
