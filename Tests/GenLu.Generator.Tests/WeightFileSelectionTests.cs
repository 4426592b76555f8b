extern alias GeneratorAssembly;

using System.Globalization;
using GenLu.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using static GenLu.Tests.Infrastructure.GeneratorHarness;
using GeneratedSize = GeneratorAssembly::GenLu.Generator.Parsing.GeneratedSize;
using TrackingNames = GeneratorAssembly::GenLu.Generator.TrackingNames;
using WeightFileHeader = GeneratorAssembly::GenLu.Generator.Parsing.WeightFileHeader;

namespace GenLu.Tests;

/// <summary>The generator reads only the weight files an attribute names, checks their size from the header
/// first, and says how to make a missing file visible.</summary>
public class WeightFileSelectionTests
{
    private static readonly string Source = SolverSource("Solver", WeightFiles.ModelPath);

    [Fact]
    public void A_weight_file_no_attribute_names_is_never_parsed()
    {
        // A broken file and one declaring a huge model sit beside the referenced one: neither is read.
        var files = new[]
        {
            WeightFiles.File(WeightFiles.Valid()),
            WeightFiles.File("{ this is not JSON", "/project/src/models/broken.gfmm.json"),
            WeightFiles.File(WeightFiles.Edit(root => root["M"] = 1 << 24), "/project/src/models/huge.gfmm.json"),
        };
        var result = Driver(files).RunGenerators(Compilation(Source)).GetRunResult();

        result.Diagnostics.ShouldBeEmpty();
        result.Results.Single().GeneratedSources.Length.ShouldBe(2);
        var parsed = result.Results.Single().TrackedSteps[TrackingNames.WeightFiles].SelectMany(step => step.Outputs).ToList();
        parsed.Count.ShouldBe(1);
    }

    [Fact]
    public void Two_attributes_naming_the_same_file_parse_it_once()
    {
        var compilation = Compilation(SolverSource("First", WeightFiles.ModelPath), SolverSource("Second", WeightFiles.ModelPath));
        var result = Driver([WeightFiles.File(WeightFiles.Valid())]).RunGenerators(compilation).GetRunResult();
        result.Diagnostics.ShouldBeEmpty();
        result.Results.Single().GeneratedSources.Length.ShouldBe(3);
        result.Results.Single().TrackedSteps[TrackingNames.WeightFiles].SelectMany(step => step.Outputs).Count().ShouldBe(1);
    }

    [Fact]
    public void GLU001_suggests_an_item_relative_to_the_project_directory()
    {
        var driver = Driver([WeightFiles.File(WeightFiles.Valid(), "/project/src/other/model.gfmm.json")],
            new Dictionary<string, string> { ["build_property.projectdir"] = "/project/" });
        var diagnostic = driver.RunGenerators(Compilation(Source)).GetRunResult().Diagnostics.ShouldHaveSingleItem();
        diagnostic.Id.ShouldBe("GLU001");
        string message = diagnostic.GetMessage(CultureInfo.InvariantCulture);
        // The attribute's path is relative to src/Solvers.cs; the item's path is relative to the project file.
        message.ShouldContain("<AdditionalFiles Include=\"src/models/model.gfmm.json\" /> or <AdditionalFiles Include=\"models/model.gfmm.json\" /> (whichever is the file)");
        message.ShouldContain("only items named *.gfmm.json are read");
    }

    [Fact]
    public void GLU001_for_a_name_without_the_extension_says_to_rename_it()
    {
        var (_, result) = Run(SolverSource("Solver", "models/model.json"), WeightFiles.File(WeightFiles.Valid(), "/project/src/models/model.json"));
        var diagnostic = result.Diagnostics.ShouldHaveSingleItem();
        diagnostic.Id.ShouldBe("GLU001");
        diagnostic.GetMessage(CultureInfo.InvariantCulture).ShouldContain("rename the file (and the attribute's path) to end in .gfmm.json");
        diagnostic.GetMessage(CultureInfo.InvariantCulture).ShouldNotContain("<AdditionalFiles");
    }

    [Theory]
    [InlineData("""{"M": 8, "P": 32}""", 8, 32)]
    [InlineData("""{"tensors": {"a": {"shape": [2, 2], "data": "x\"}{]["}}, "P": 4, "note": "M", "M": 16}""", 16, 4)]
    [InlineData("\uFEFF { \"format\" : \"genlu-gfmm\" ,\n\t\"M\" : 2 , \"P\" : 1 }", 2, 1)]
    [InlineData("""{"M": 2, "M": 4, "P": 1}""", 2, 1)]
    public void The_header_scan_finds_M_and_P_wherever_they_are(string json, int m, int p)
    {
        WeightFileHeader.TryReadShape(json, out int foundM, out int foundP).ShouldBeTrue();
        (foundM, foundP).ShouldBe((m, p));
    }

    [Theory]
    [InlineData("""{"format": "genlu-gfmm", "M": 8, "P": 32, "dtype": "float64", "tensors": {}}""", true)]
    [InlineData("""{"M": 8, "P": 32, "dtype": "float32"}""", false)]
    [InlineData("""{"dtype": "float64", "M": 2, "P": 1}""", true)]
    [InlineData("""{"M": 2, "P": 1}""", false)]
    public void The_header_scan_reads_the_dtype_for_the_size_limit(string json, bool float64)
    {
        WeightFileHeader.TryReadHeader(json, out int m, out int p, out bool foundFloat64).ShouldBeTrue();
        (m > 0 && p > 0).ShouldBeTrue();
        foundFloat64.ShouldBe(float64);
        // A float64 model embeds its weights, factors and reciprocals in 8 bytes, its pivots still in 4.
        GeneratedSize.EmbeddedBytes(8, 4, 8).ShouldBe(2 * GeneratedSize.EmbeddedBytes(8, 4)!.Value - 4L * 2 * 8 * 4);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[1, 2]")]
    [InlineData("""{"M": 8}""")]
    [InlineData("""{"M": 8, "P": "32"}""")]
    [InlineData("""{"M": 8, "tensors": {"unclosed": "x""")]
    [InlineData("""{"M": 99999999999, "P": 1}""")]
    public void The_header_scan_gives_up_on_what_it_cannot_follow(string json)
    {
        WeightFileHeader.TryReadShape(json, out _, out _).ShouldBeFalse();
    }

    [Fact]
    public void The_size_estimate_bounds_the_measured_source_and_separates_the_documented_cases()
    {
        // Measured (docs/benchmarks/generated-solve.md): M = 8, P = 32 gives 1.97 M characters, M = 128, P = 32
        // 29.4 M, and M = 4096, P = 1 44.5 M. The estimate must not fall below them, and the limit must pass the
        // first two and stop the third.
        long Estimate(int m, int p) => GeneratedSize.SourceCharacters(m, GeneratedSize.EmbeddedBytes(m, p)!.Value);
        Estimate(8, 32).ShouldBeGreaterThanOrEqualTo(1_970_000);
        Estimate(128, 32).ShouldBeGreaterThanOrEqualTo(29_400_000);
        Estimate(4096, 1).ShouldBeGreaterThanOrEqualTo(44_500_000);
        Estimate(128, 32).ShouldBeLessThanOrEqualTo(GeneratedSize.MaxSourceCharacters);
        Estimate(4096, 1).ShouldBeGreaterThan(GeneratedSize.MaxSourceCharacters);
        GeneratedSize.EmbeddedBytes(3, 2).ShouldBeNull();
        // The embedded bytes agree with what the test models embed: weights, padded triangles, diagonals, pivots.
        var model = TestModels.WellConditioned(8, 4, seed: 1);
        GeneratedSize.EmbeddedBytes(8, 4).ShouldBe(4L * (model.ParameterCount + 4 * 8 * 16 + 4 * 8 * 4));
    }
}
