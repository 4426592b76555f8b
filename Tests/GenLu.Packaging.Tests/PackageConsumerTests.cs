using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using GenLu.Exact;
using GenLu.Operators;
using Xunit.Abstractions;

namespace GenLu.Packaging.Tests;

/// <summary>
/// What a user of the packages gets: GenLu.Runtime and GenLu.Generator are packed into a temporary folder feed, and a
/// console project outside the repository, with only <c>PackageReference</c>s and a weight file, is restored (into its own
/// packages folder, so the user's NuGet cache never sees these builds), built and run. Its generated and run-time solves
/// of the 1D Laplacian are checked against the closed-form solution.
/// </summary>
public sealed class PackageConsumerTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>Order of the consumer's operator: below M · P, so the packed generator also has to handle a padded model.</summary>
    private const int N = 12;
    private const int M = 2, P = 8;

    /// <summary>Right-hand sides of the consumer's parallel batch: more than three panels of the generated PanelWidth (16).</summary>
    private const int BatchCount = 49;

    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(5);

    private readonly string root = Directory.CreateTempSubdirectory("genlu-packages-").FullName;

    [Fact]
    public void A_consumer_of_the_packed_runtime_and_generator_builds_and_solves()
    {
        string feed = Path.Combine(root, "feed");
        string consumer = Path.Combine(root, "consumer");
        Directory.CreateDirectory(consumer);

        // The solution build in this configuration has produced both projects' output; pack only wraps it.
        foreach (string project in new[] { "Runtime/GenLu.Runtime.csproj", "Generator/GenLu.Generator.csproj" })
            Dotnet(RepositoryRoot, "pack", Path.Combine(RepositoryRoot, project), "-c", Configuration, "--no-build", "-o", feed);
        File.Exists(Path.Combine(feed, $"GenLu.Runtime.{Version}.nupkg")).ShouldBeTrue();
        File.Exists(Path.Combine(feed, $"GenLu.Generator.{Version}.nupkg")).ShouldBeTrue();
        using (var package = System.IO.Compression.ZipFile.OpenRead(Path.Combine(feed, $"GenLu.Generator.{Version}.nupkg")))
        {
            // The build step of large models travels with the generator: its targets and its tool.
            var entries = package.Entries.Select(entry => entry.FullName).ToList();
            entries.ShouldContain("build/GenLu.Generator.targets");
            entries.ShouldContain("build/embed/genlu-embed.dll");
            entries.ShouldContain("build/embed/genlu-embed.runtimeconfig.json");
        }

        WriteConsumer(consumer, feed);
        Dotnet(consumer, "build", "-c", "Release", "-nodeReuse:false", "-p:UseSharedCompilation=false");
        string printed = Dotnet(consumer, "bin/Release/net10.0/Consumer.dll");

        // tridiag(-1, 2, -1) x = 1 (Dirichlet ends) is solved by x_i = i (N + 1 - i) / 2 for i = 1 .. N; exact factors in
        // float lose the condition number (≈ 70) times float rounding.
        static double Expected(int i) => (i + 1) * (N - i) / 2.0;
        double tolerance = 1e-4 * (N + 1) * (N + 1) / 8.0;
        var lines = printed.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var single = lines.Where(line => !line.StartsWith("batch ", StringComparison.Ordinal)).ToArray();
        var batch = lines.Where(line => line.StartsWith("batch ", StringComparison.Ordinal)).ToArray();
        single.Length.ShouldBe(N, printed);
        for (int i = 0; i < N; i++)
        {
            var fields = single[i].Split(' ');
            Math.Abs(Parse(fields[0]) - Expected(i)).ShouldBeLessThan(tolerance, $"generated x[{i}]");
            Math.Abs(Parse(fields[1]) - Expected(i)).ShouldBeLessThan(tolerance, $"runtime x[{i}]");
            // The same model embedded as a binary resource by the package's build step: the same floats.
            fields[2].ShouldBe(fields[0], $"resource-embedded x[{i}]");
        }

        batch.Length.ShouldBe(BatchCount, printed);
        for (int v = 0; v < batch.Length; v++)
        {
            var fields = batch[v]["batch ".Length..].Split(' ');
            fields.Length.ShouldBe(N);
            for (int i = 0; i < N; i++)
                Math.Abs(Parse(fields[i]) - (v + 1) * Expected(i)).ShouldBeLessThan((v + 1) * tolerance, $"parallel batch x[{v}][{i}]");
        }
    }

    private static double Parse(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    private void WriteConsumer(string directory, string feed)
    {
        // The packages' model: exact factors of the 1D Laplacian of order N < M · P.
        var laplacian = TestOperators.Laplacian1d(N);
        Directory.CreateDirectory(Path.Combine(directory, "models"));
        ExactFactorization.Build(laplacian.Matrix, N, M, P, scale: laplacian.Scale).Model
            .Save(Path.Combine(directory, "models", "laplacian.gfmm.json"));
        File.Copy(Path.Combine(directory, "models", "laplacian.gfmm.json"), Path.Combine(directory, "models", "laplacian-resource.gfmm.json"));

        // Stop MSBuild's upward search for build customizations at the consumer's own directory.
        File.WriteAllText(Path.Combine(directory, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(directory, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(directory, "Directory.Packages.props"), "<Project />\n");

        // Only the temporary feed may provide GenLu packages; everything else comes from the registry.
        File.WriteAllText(Path.Combine(directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="genlu-local" value="{feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="genlu-local">
                  <package pattern="GenLu.*" />
                </packageSource>
                <packageSource key="nuget.org">
                  <package pattern="*" />
                </packageSource>
              </packageSourceMapping>
            </configuration>
            """);

        File.WriteAllText(Path.Combine(directory, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <RestorePackagesPath>{Path.Combine(root, "packages")}</RestorePackagesPath>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="GenLu.Runtime" Version="{Version}" />
                <PackageReference Include="GenLu.Generator" Version="{Version}" />
              </ItemGroup>
              <ItemGroup>
                <None Include="models/laplacian.gfmm.json" CopyToOutputDirectory="PreserveNewest" />
                <!-- Small, but embedded as a binary resource by the package's build step, as a large model would be. -->
                <AdditionalFiles Update="models/laplacian-resource.gfmm.json" GenLuEmbed="Resource" />
              </ItemGroup>
            </Project>
            """);

        // No AdditionalFiles Include anywhere: the generator package's build/ props adds every *.gfmm.json (the Update above only sets a mode).
        File.WriteAllText(Path.Combine(directory, "Program.cs"), """
            using System.Globalization;
            using GenLu.Gfmm;

            var b = new float[Laplacian.N];
            Array.Fill(b, 1f);
            var generated = new float[Laplacian.N];
            Laplacian.Solve(b, generated);

            var solver = new GfmmSolver(GfmmModel.Load(Path.Combine(AppContext.BaseDirectory, "models", "laplacian.gfmm.json")));
            var runtime = new float[solver.N];
            solver.Solve(b, runtime);

            var fromResource = new float[Laplacian.N];
            LaplacianFromResource.Solve(b, fromResource);

            for (int i = 0; i < b.Length; i++)
                Console.WriteLine(generated[i].ToString("R", CultureInfo.InvariantCulture) + " " + runtime[i].ToString("R", CultureInfo.InvariantCulture)
                    + " " + fromResource[i].ToString("R", CultureInfo.InvariantCulture));

            // A batch on every core: right-hand side v is (v + 1) times the ones, one line per solution.
            const int count = BATCH_COUNT;
            var bs = new float[count * Laplacian.N];
            for (int v = 0; v < count; v++) Array.Fill(bs, v + 1f, v * Laplacian.N, Laplacian.N);
            var xs = new float[bs.Length];
            Laplacian.SolveParallel(bs, xs, count);
            for (int v = 0; v < count; v++)
                Console.WriteLine("batch " + string.Join(" ", xs.Skip(v * Laplacian.N).Take(Laplacian.N).Select(f => f.ToString("R", CultureInfo.InvariantCulture))));

            [GenLu.GfmmSolver("models/laplacian.gfmm.json")]
            static partial class Laplacian { }

            [GenLu.GfmmSolver("models/laplacian-resource.gfmm.json")]
            static partial class LaplacianFromResource { }
            """.Replace("BATCH_COUNT", BatchCount.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
    }

    /// <summary>Runs <c>dotnet</c> and returns its standard output; a failure or a timeout fails the test with all it printed.</summary>
    private string Dotnet(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        // The test host may run under MSBuild's environment (dotnet test); the child builds must not inherit its settings.
        foreach (string name in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(name);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var standardOutput = process.StandardOutput.ReadToEndAsync();
        var standardError = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(StepTimeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} did not finish within {StepTimeout}:\n{standardOutput.Result}\n{standardError.Result}");
        }
        process.WaitForExit();
        string printed = standardOutput.Result;
        output.WriteLine($"dotnet {string.Join(' ', arguments)}: {clock.Elapsed.TotalSeconds:0.0} s");
        process.ExitCode.ShouldBe(0, $"dotnet {string.Join(' ', arguments)} in {workingDirectory}:\n{printed}\n{standardError.Result}");
        return printed;
    }

    private static string Metadata(string key) =>
        typeof(PackageConsumerTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"The test assembly records no {key}.");

    private static string Configuration => Metadata("Configuration");

    private static string Version => Metadata("PackageVersion");

    private static string RepositoryRoot { get; } = FindRepositoryRoot();

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "GenLu.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("GenLu.sln not found above " + AppContext.BaseDirectory);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open (a compiler server) only leaves a temporary folder behind.
        }
    }
}
