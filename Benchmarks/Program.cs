using BenchmarkDotNet.Running;
using GenLu.Benchmarks.Support;

namespace GenLu.Benchmarks;

/// <summary>
/// Runs the benchmark suites of this assembly; pick them with --filter, e.g. --filter '*SolveComparison*'.
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        var suites = typeof(Program).Assembly.GetTypes().Where(type => type.IsPublic && type.Name.EndsWith("Benchmarks", StringComparison.Ordinal));
        foreach (string note in SuiteConfig.Notes(suites))
            Console.WriteLine(note);
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        RooflineReport.WriteIfComplete(summaries);
    }
}
