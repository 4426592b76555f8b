using System.Globalization;
using System.Text;
using BenchmarkDotNet.Reports;

namespace GenLu.Benchmarks.Support;

/// <summary>
/// Combines the roofline suites with the GenLu solves of <see cref="SolveComparisonBenchmarks"/> run in the
/// same invocation into floor times: for each N and batch size, the time to move the solve's bytes
/// (<see cref="SolveTraffic"/>) at a measured bandwidth, or to do its flops at the measured GEMM or FMA peak,
/// whichever is longer, and each solve's ratio to it. Two floors: one with the streaming bandwidth from
/// memory (the large copy), one with the bandwidth of a read-only sweep over as many bytes as the solve
/// reads (the cache level those bytes live in when solves run back to back).
/// </summary>
internal static class RooflineReport
{
    private const string FileName = "GenLu.Benchmarks.Roofline-floor.md";

    private static readonly string[] Solvers = [nameof(SolveComparisonBenchmarks.Generated), nameof(SolveComparisonBenchmarks.Structured)];

    /// <summary>Writes the floor table next to BenchmarkDotNet's reports and prints it, when the run had the roofline suites and the GenLu solves.</summary>
    public static void WriteIfComplete(IEnumerable<Summary> summaries)
    {
        var reports = summaries.SelectMany(summary => summary.Reports.Select(report => (summary, report))).ToList();
        double? copy = Mean(reports, typeof(RooflineMachineBenchmarks), nameof(RooflineMachineBenchmarks.CopyLarge));
        double? read = Mean(reports, typeof(RooflineMachineBenchmarks), nameof(RooflineMachineBenchmarks.ReadLarge));
        double? gemm = Mean(reports, typeof(RooflineMachineBenchmarks), nameof(RooflineMachineBenchmarks.GemmPeak));
        bool anySweep = reports.Any(entry => entry.report.BenchmarkCase.Descriptor.Type == typeof(RooflineSweepBenchmarks));
        bool anySolve = reports.Any(entry => entry.report.BenchmarkCase.Descriptor.Type == typeof(SolveComparisonBenchmarks));
        if (copy is null && read is null && gemm is null && !anySweep)
            return;
        if (copy is null || read is null || gemm is null || !anySweep || !anySolve)
        {
            Console.WriteLine("Roofline floors need the suites RooflineMachine, RooflineSweep and SolveComparison in one run: --filter '*Roofline*' '*SolveComparison*'.");
            return;
        }

        // Bytes per nanosecond are GB/s, flops per nanosecond GFLOP/s.
        double copyBandwidth = 2.0 * RooflineMachineBenchmarks.StreamBytes / copy.Value;
        double readBandwidth = (double)RooflineMachineBenchmarks.StreamBytes / read.Value;
        double gemmPeak = RooflineMachineBenchmarks.GemmFlops / gemm.Value;
        // The compute floor is the faster of the two ceilings measured: the FMA units' throughput when that suite ran.
        double? fma = Mean(reports, typeof(RooflineMachineBenchmarks), nameof(RooflineMachineBenchmarks.FmaPeak));
        double fmaPeak = fma is { } fmaTime ? RooflineMachineBenchmarks.FmaFlops / fmaTime : 0;
        double peak = Math.Max(gemmPeak, fmaPeak);

        var text = new StringBuilder();
        text.AppendLine(Invariant($"Memory copy bandwidth (read + write of 256 MiB): {copyBandwidth:F1} GB/s; read-only from memory: {readBandwidth:F1} GB/s; packed GEMM peak (one core, float): {gemmPeak:F1} GFLOP/s; Vector512 FMA peak (one core, float): {(fmaPeak > 0 ? fmaPeak.ToString("F1", CultureInfo.InvariantCulture) : "not run")} GFLOP/s."));
        text.AppendLine();
        text.AppendLine("| N | Rhs | solver | bytes read+written | MFLOP | bandwidth at that size (GB/s) | floor, memory (μs) | floor, in cache (μs) | solve (μs) | solve / floor, memory | solve / floor, in cache |");
        text.AppendLine("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (int n in BenchmarkModels.Orders)
        {
            if (Mean(reports, typeof(RooflineSweepBenchmarks), nameof(RooflineSweepBenchmarks.ReadSolveBytes), ("N", n)) is not { } sweep) continue;
            double cacheBandwidth = SolveTraffic.Of(n, 1).Bytes / sweep;
            foreach (int rhs in new[] { 1, 64 })
            {
                var traffic = SolveTraffic.Of(n, rhs);
                double compute = traffic.Flops / peak;
                double memoryFloor = Math.Max(traffic.Bytes / copyBandwidth, compute);
                double cacheFloor = Math.Max(traffic.Bytes / cacheBandwidth, compute);
                foreach (string solver in Solvers)
                {
                    if (Mean(reports, typeof(SolveComparisonBenchmarks), solver, ("N", n), ("Rhs", rhs)) is not { } solve) continue;
                    text.AppendLine(Invariant($"| {n} | {rhs} | {solver} | {traffic.Bytes / 1e6:F2} MB | {traffic.Flops / 1e6:F1} | {cacheBandwidth:F1} | {memoryFloor / 1e3:F2} | {cacheFloor / 1e3:F2} | {solve / 1e3:F2} | {solve / memoryFloor:F2} | {solve / cacheFloor:F2} |"));
                }
            }
        }

        string directory = reports[0].summary.ResultsDirectoryPath;
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, FileName);
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, text.ToString());
        File.Move(temporary, path, overwrite: true);
        Console.WriteLine();
        Console.WriteLine("// * Roofline floors *");
        Console.WriteLine(text);
        Console.WriteLine($"Roofline floors written to {path}");
    }

    private static string Name(BenchmarkReport report) => report.BenchmarkCase.Descriptor.WorkloadMethod.Name;

    /// <summary>Mean time in nanoseconds of a suite's method with the given parameter values, or null if it did not run.</summary>
    private static double? Mean(List<(Summary summary, BenchmarkReport report)> reports, Type suite, string method, params (string Name, int Value)[] parameters) =>
        reports
            .Where(entry => entry.report.BenchmarkCase.Descriptor.Type == suite && Name(entry.report) == method
                && parameters.All(wanted => entry.report.BenchmarkCase.Parameters.Items.Any(parameter => parameter.Name == wanted.Name && Equals(parameter.Value, wanted.Value))))
            .Select(entry => entry.report.ResultStatistics?.Mean)
            .FirstOrDefault(mean => mean is not null);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
