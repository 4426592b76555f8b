using BenchmarkDotNet.Running;

namespace GenLu.Benchmarks;

/// <summary>Runs every benchmark suite in this assembly; pick with --filter, e.g. --filter '*DenseLu*'.</summary>
public static class Program
{
    public static void Main(string[] args) =>
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
