extern alias EmbedTool;

using Microsoft.CodeAnalysis;
using EmbedCommand = EmbedTool::GenLu.Generator.Embed.EmbedCommand;

namespace GenLu.Tests.Infrastructure;

/// <summary>
/// The build step of GenLu.Generator.targets run for real on one weight file in a temporary directory: the weight file
/// is written there, <c>genlu-embed</c>'s command turns it into a resource and a manifest, and the test passes both
/// to the in-memory compilation as MSBuild would (the manifest as an AdditionalFiles item, the resource as a
/// manifest resource named by its file).
/// </summary>
internal sealed class EmbeddedBuildStep : IDisposable
{
    private readonly string directory;

    private EmbeddedBuildStep(string directory, string json)
    {
        this.directory = directory;
        Json = json;
        WeightPath = Path.Combine(directory, "model.gfmm.json").Replace('\\', '/');
    }

    public string Json { get; }

    public string WeightPath { get; }

    public string OutputDirectory => Path.Combine(directory, "genlu");

    public string ManifestPath => File.ReadAllLines(Path.Combine(OutputDirectory, "manifests.txt")).Single(line => line.Length > 0);

    public string Manifest => File.ReadAllText(ManifestPath);

    public string? ResourcePath => File.ReadAllLines(Path.Combine(OutputDirectory, "resources.txt")).SingleOrDefault(line => line.Length > 0);

    /// <summary>Writes <paramref name="json"/> as a weight file and runs the build step on it with GenLuEmbed="Resource".</summary>
    public static EmbeddedBuildStep Run(string json, string mode = "Resource", long threshold = long.MaxValue)
    {
        var step = new EmbeddedBuildStep(Directory.CreateTempSubdirectory("genlu-embed-").FullName, json);
        File.WriteAllText(step.WeightPath, json);
        step.RunAgain(mode, threshold).ShouldBe(0);
        return step;
    }

    public int RunAgain(string mode = "Resource", long threshold = long.MaxValue)
    {
        string list = Path.Combine(directory, "weights.txt");
        File.WriteAllText(list, $"{WeightPath}\t{mode}\n");
        return EmbedCommand.Run(list, OutputDirectory, threshold);
    }

    /// <summary>The resource as the targets add it: logical name = the file's name.</summary>
    public ResourceDescription Resource() => Resource(File.ReadAllBytes(ResourcePath!));

    public ResourceDescription Resource(byte[] bytes) =>
        new(Path.GetFileName(ResourcePath!), () => new MemoryStream(bytes), isPublic: true);

    public void Dispose() => Directory.Delete(directory, recursive: true);
}
