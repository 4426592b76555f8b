using System.Text.Json.Nodes;
using GenLu.Gfmm;

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
        var zero = GfmmModel.Zero(2, 4);
        var lower = zero.L.Clone();
        var upper = zero.U.Clone();
        foreach (var block in new[] { lower, upper })
            for (int leaf = 0; leaf < 2; leaf++)
            {
                var g = block.Tensor(block.Layout.Diagonal(leaf));
                for (int i = 0; i < 4; i++) g[(i * 4) + i] = 2;
            }
        var model = new GfmmModel(lower, upper, 1, new GfmmProvenance { Operator = new OperatorProvenance { Name = longName, N = 8 } });
        string path = Path.Combine(directory, "long.gfmm.json");
        model.Save(path);

        var outcome = await Cli.Run("inspect", path, "--json");
        outcome.ExitCode.ShouldBe(0);
        var json = JsonNode.Parse(outcome.Output)!;
        outcome.Output.ShouldContain(longName);
        json.ToJsonString().ShouldContain(longName);
    }
}
