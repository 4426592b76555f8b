using BenchmarkDotNet.Running;
using GenLu.Benchmarks.Support;

namespace GenLu.Benchmarks;

/// <summary>
/// Runs the benchmark suites of this assembly; pick them with --filter, e.g. --filter '*SolveComparison*'.
/// Every job runs in this process (--inProcess is always added): BenchmarkDotNet's usual per-run rebuild of
/// the project would recompile the embedded models through the generator, which outlasts its 2-minute
/// build timeout.
/// <c>make-models [directory]</c> instead writes the deterministic weight files the generated solvers are
/// compiled from (default directory: Benchmarks/Models, from the repository root).
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        if (args is ["make-models", ..])
        {
            foreach (string path in ModelFiles.Write(args.Length > 1 ? args[1] : Path.Combine("Benchmarks", "Models")))
                Console.WriteLine($"wrote {path}");
            return;
        }

        var suites = typeof(Program).Assembly.GetTypes().Where(type => type.IsPublic && type.Name.EndsWith("Benchmarks", StringComparison.Ordinal));
        foreach (string note in SuiteConfig.Notes(suites))
            Console.WriteLine(note);
        string[] inProcess = args.Contains("--inProcess") ? args : [.. args, "--inProcess"];
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(inProcess);
        RooflineReport.WriteIfComplete(summaries);
    }
}
