namespace GenLu.Tests;

/// <summary>Locates the repository and the shared fixtures beside it (CI clones with ../shared next to the repo).</summary>
internal static class TestPaths
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string SharedFixtures => Path.Combine(RepositoryRoot, "..", "shared", "fixtures");

    public static string Fixture(string name)
    {
        string path = Path.GetFullPath(Path.Combine(SharedFixtures, name));
        if (!File.Exists(path)) throw new FileNotFoundException($"Shared fixture not found; the repository expects ../shared beside it.", path);
        return path;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "GenLu.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("GenLu.sln not found above " + AppContext.BaseDirectory);
    }
}
