using System.Text.RegularExpressions;
using GenLu.Gfmm;

namespace GenLu.Tests.Gfmm;

public class FormatDocTests
{
    [Fact]
    public void The_example_in_docs_format_md_is_a_valid_file_with_the_stated_product()
    {
        string doc = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "docs", "format.md"));
        string example = Regex.Matches(doc, "```json\n(.*?)```", RegexOptions.Singleline)
            .Select(match => match.Groups[1].Value)
            .Single(block => block.Contains("\"sha256\"", StringComparison.Ordinal));
        var model = GfmmModel.Parse(example);
        model.M.ShouldBe(2);
        model.P.ShouldBe(1);
        // The page says s · L · U = [[8, 1], [-4, 4]].
        model.ToDense().ShouldBe([8.0, 1.0, -4.0, 4.0]);
    }
}
