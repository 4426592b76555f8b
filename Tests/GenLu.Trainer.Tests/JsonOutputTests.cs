using System.Text.Json.Nodes;

namespace GenLu.Tests;

/// <summary>Machine-readable output is written verbatim: a long string is never wrapped at the console's width.</summary>
public sealed class JsonOutputTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("genlu-json-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public async Task Inspect_json_keeps_a_string_longer_than_the_console_width_on_one_line()
    {
        string longName = "operator-" + new string('x', 400);
        var model = HeapLimitCliTests.IdentityModel(8, longName);
        string path = Path.Combine(directory, "long.gfmm.json");
        model.Save(path);

        var outcome = await Cli.Run("inspect", path, "--json");
        outcome.ExitCode.ShouldBe(0);
        var json = JsonNode.Parse(outcome.Output)!;
        outcome.Output.ShouldContain(longName);
        json.ToJsonString().ShouldContain(longName);
    }
}
