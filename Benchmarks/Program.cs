using BenchmarkDotNet.Running;
using GenLu.Benchmarks.Support;

namespace GenLu.Benchmarks;

/// <summary>
/// Runs the benchmark suites of this assembly; pick them with --filter, e.g. --filter '*SolveComparison*'.
/// The job is set here, on the command line, for every suite: in this process (--inProcess is always added:
/// BenchmarkDotNet's usual per-run rebuild of the project would recompile the embedded models through the
/// generator, which outlasts its 2-minute build timeout), and short — 2 warm-up and 6 measured iterations,
/// so that all suites finish in well under 20 minutes — unless the command line names a job or counts
/// (e.g. --job dry for a smoke test).
/// <c>make-models [directory]</c> instead writes the deterministic weight files the generated solvers are
/// compiled from (default directory: Benchmarks/Models, from the repository root).
/// <c>construction-table [kind …]</c> prints the timed construction table (docs/benchmarks/construction.md);
/// <c>kernel-peer-table [kernel …]</c> the kernels beside hmat-oss at N = 4,096 … 65,536 (docs/benchmarks/peers.md).
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

        if (args is ["construction-table", .. var kinds])
        {
            ConstructionTable.Run(kinds);
            return;
        }

        if (args is ["construction-case", var kind, var size, .. var settings])
        {
            var invariant = System.Globalization.CultureInfo.InvariantCulture;
            double tolerance = settings.Length > 0 ? double.Parse(settings[0], invariant) : GenLu.Exact.ExactFactorization.DefaultTolerance;
            int p = settings.Length > 1 ? int.Parse(settings[1], invariant) : 32;
            ConstructionTable.RunCase(kind, int.Parse(size, invariant), tolerance, p);
            return;
        }

        if (args is ["kernel-peer-table", .. var kernels])
        {
            KernelPeerTable.Run(kernels);
            return;
        }

        if (args is ["kernel-peer-case", var kernel, var order, var solver])
        {
            KernelPeerTable.RunCase(kernel, int.Parse(order, System.Globalization.CultureInfo.InvariantCulture), solver);
            return;
        }

        var suites = typeof(Program).Assembly.GetTypes().Where(type => type.IsPublic && type.Name.EndsWith("Benchmarks", StringComparison.Ordinal));
        foreach (string note in SuiteConfig.Notes(suites))
            Console.WriteLine(note);
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(WithDefaultJob(args));
        RooflineReport.WriteIfComplete(summaries);
    }

    private static string[] WithDefaultJob(string[] args)
    {
        var options = new List<string>(args);
        if (!options.Contains("--inProcess"))
            options.Add("--inProcess");
        string[] jobOptions = ["--job", "-j", "--warmupCount", "--iterationCount"];
        if (!options.Any(option => jobOptions.Contains(option)))
            options.AddRange(["--warmupCount", "2", "--iterationCount", "6"]);
        return [.. options];
    }
}
