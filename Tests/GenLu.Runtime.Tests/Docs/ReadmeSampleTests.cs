using System.Text.RegularExpressions;

namespace GenLu.Tests.Docs;

/// <summary>
/// The README's C# snippets are the compiled sample code: each block marked <c>&lt;!-- sample: a, b --&gt;</c> must be
/// the regions <c>// README: a</c> … <c>// END README</c> of samples/GenLu.Samples (de-indented, joined by a blank line).
/// </summary>
public partial class ReadmeSampleTests
{
    [GeneratedRegex(@"<!-- sample: (?<names>[^>]*?) -->\n```csharp\n(?<code>.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex MarkedBlock();

    [Fact]
    public void Every_marked_readme_block_is_the_sample_code_and_every_sample_region_is_shown()
    {
        var regions = SampleRegions();
        string readme = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "README.md")).ReplaceLineEndings("\n");
        var shown = new List<string>();
        var blocks = MarkedBlock().Matches(readme);
        blocks.Count.ShouldBeGreaterThan(0);
        foreach (Match block in blocks)
        {
            string[] names = block.Groups["names"].Value.Split(',', StringSplitOptions.TrimEntries);
            foreach (string name in names) regions.ShouldContainKey(name);
            block.Groups["code"].Value.ShouldBe(string.Join("\n\n", names.Select(n => regions[n])), $"README block '{block.Groups["names"].Value}'");
            shown.AddRange(names);
        }
        shown.ShouldBe(regions.Keys, ignoreOrder: true);
    }

    [Fact]
    public void Every_csharp_block_of_the_using_each_part_section_is_marked()
    {
        string readme = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "README.md")).ReplaceLineEndings("\n");
        int start = readme.IndexOf("## Using each part", StringComparison.Ordinal);
        start.ShouldBeGreaterThanOrEqualTo(0);
        int end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        string section = end < 0 ? readme[start..] : readme[start..end];
        Regex.Matches(section, "```csharp").Count.ShouldBe(MarkedBlock().Matches(section).Count);
    }

    private static Dictionary<string, string> SampleRegions()
    {
        var regions = new Dictionary<string, string>(StringComparer.Ordinal);
        string directory = Path.Combine(TestPaths.RepositoryRoot, "samples", "GenLu.Samples");
        foreach (string file in Directory.GetFiles(directory, "*.cs"))
        {
            string? name = null;
            var lines = new List<string>();
            foreach (string line in File.ReadAllLines(file))
            {
                string trimmed = line.Trim();
                if (trimmed.StartsWith("// README: ", StringComparison.Ordinal))
                {
                    name = trimmed["// README: ".Length..];
                    lines.Clear();
                }
                else if (trimmed == "// END README" && name is not null)
                {
                    regions.Add(name, Dedent(lines));
                    name = null;
                }
                else if (name is not null)
                {
                    lines.Add(line);
                }
            }
            name.ShouldBeNull($"{file}: a README region is not closed");
        }
        return regions;
    }

    private static string Dedent(List<string> lines)
    {
        int indent = lines.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
        return string.Join("\n", lines.Select(l => l.Trim().Length == 0 ? "" : l[indent..])).Trim('\n');
    }
}
