using GenLu.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using static GenLu.Tests.Infrastructure.GeneratorHarness;

namespace GenLu.Tests;

/// <summary>The attribute's path finds its AdditionalFiles item: relative to the declaring file, then to the
/// project directory, then as the unique path suffix at a segment boundary.</summary>
public class PathMatchingTests
{
    private static readonly string Model = WeightFiles.Valid();

    [Theory]
    [InlineData("models/model.gfmm.json", "/project/src/models/model.gfmm.json")]
    [InlineData("./models/../models/model.gfmm.json", "/project/src/models/model.gfmm.json")]
    [InlineData("../shared/model.gfmm.json", "/project/shared/model.gfmm.json")]
    [InlineData("model.gfmm.json", "/elsewhere/deep/model.gfmm.json")]
    [InlineData("MODELS/Model.GFMM.json", "/project/src/models/model.gfmm.json")]
    [InlineData("/abs/model.gfmm.json", "/abs/model.gfmm.json")]
    [InlineData("models\\model.gfmm.json", "C:\\repo\\src\\models\\model.gfmm.json")]
    public void A_path_matches(string attributePath, string filePath)
    {
        var (_, result) = Run(SolverSource("Solver", attributePath.Replace("\\", "\\\\")), WeightFiles.File(Model, filePath));
        result.Diagnostics.ShouldBeEmpty();
        result.Results.Single().GeneratedSources.Length.ShouldBe(2);
    }

    [Fact]
    public void A_suffix_must_end_at_a_segment_boundary()
    {
        var (_, result) = Run(SolverSource("Solver", "models/model.gfmm.json"), WeightFiles.File(Model, "/project/src/mymodels/model.gfmm.json"));
        result.Diagnostics.ShouldHaveSingleItem().Id.ShouldBe("GLU001");
    }

    [Fact]
    public void Two_suffix_matches_are_ambiguous_unless_the_project_directory_decides()
    {
        var files = new[] { WeightFiles.File(Model, "/project/data/model.gfmm.json"), WeightFiles.File(Model, "/other/data/model.gfmm.json") };
        var source = SolverSource("Solver", "data/model.gfmm.json");

        var (_, ambiguous) = Run(source, files);
        var diagnostic = ambiguous.Diagnostics.ShouldHaveSingleItem();
        diagnostic.Id.ShouldBe("GLU001");
        diagnostic.GetMessage().ShouldContain("ambiguous");

        var driver = Driver(files, new Dictionary<string, string> { ["build_property.projectdir"] = "/project/" });
        var resolved = driver.RunGenerators(Compilation(source)).GetRunResult();
        resolved.Diagnostics.ShouldBeEmpty();
        resolved.Results.Single().GeneratedSources.Length.ShouldBe(2);
    }

    [Fact]
    public void Files_without_the_gfmm_json_extension_are_ignored()
    {
        var (_, result) = Run(SolverSource("Solver", "models/model.json"), WeightFiles.File(Model, "/project/src/models/model.json"));
        result.Diagnostics.ShouldHaveSingleItem().Id.ShouldBe("GLU001");
    }
}
