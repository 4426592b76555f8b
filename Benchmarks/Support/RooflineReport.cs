using System.Globalization;
using System.Text;
using BenchmarkDotNet.Reports;

namespace GenLu.Benchmarks.Support;

/// <summary>
/// Combines the two roofline suites of one run into floor times: for each N and batch size, the time to
/// move the solve's bytes (<see cref="SolveTraffic"/>) at a measured bandwidth, or to do its flops at the
/// measured GEMM peak, whichever is longer, and the measured solve's ratio to it. Two floors: one with the
/// streaming bandwidth from memory (the large copy), one with the bandwidth of a read-only sweep over as
/// many bytes as the solve reads (the cache level those bytes live in when solves run back to back).
/// </summary>
internal static class RooflineReport
{
    private const string FileName = "GenLu.Benchmarks.Roofline-floor.md";

    /// <summary>Writes the floor table next to BenchmarkDotNet's reports and prints it; does nothing unless both roofline suites ran.</summary>
    public static void WriteIfComplete(IEnumerable<Summary> summaries)
    {
        var reports = summaries.SelectMany(summary => summary.Reports.Select(report => (summary, report))).ToList();
        double? copy = Mean(reports, nameof(RooflineMachineBenchmarks.CopyLarge), null);
        double? read = Mean(reports, nameof(RooflineMachineBenchmarks.ReadLarge), null);
        double? gemm = Mean(reports, nameof(RooflineMachineBenchmarks.GemmPeak), null);
        if (copy is null || read is null || gemm is null || !reports.Any(entry => Name(entry.report) == nameof(RooflineSolveBenchmarks.SolveOne)))
            return;

        // Bytes per nanosecond are GB/s, flops per nanosecond GFLOP/s.
        double copyBandwidth = 2.0 * RooflineMachineBenchmarks.StreamBytes / copy.Value;
        double readBandwidth = (double)RooflineMachineBenchmarks.StreamBytes / read.Value;
        double peak = RooflineMachineBenchmarks.GemmFlops / gemm.Value;

        var text = new StringBuilder();
        text.AppendLine(Invariant($"Memory copy bandwidth (read + write of 256 MiB): {copyBandwidth:F1} GB/s; read-only from memory: {readBandwidth:F1} GB/s; packed GEMM peak (one core, float): {peak:F1} GFLOP/s."));
        text.AppendLine();
        text.AppendLine("| N | Rhs | bytes read+written | MFLOP | bandwidth at that size (GB/s) | floor, memory (μs) | floor, in cache (μs) | solve (μs) | solve / floor, memory | solve / floor, in cache |");
        text.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (int n in BenchmarkModels.Orders)
        {
            double? sweep = Mean(reports, nameof(RooflineSolveBenchmarks.ReadSolveBytes), n);
            if (sweep is null) continue;
            double cacheBandwidth = SolveTraffic.Of(n, 1).Bytes / sweep.Value;
            foreach (var (method, rhs) in new[] { (nameof(RooflineSolveBenchmarks.SolveOne), 1), (nameof(RooflineSolveBenchmarks.SolveBatch), RooflineSolveBenchmarks.BatchSize) })
            {
                if (Mean(reports, method, n) is not { } solve) continue;
                var traffic = SolveTraffic.Of(n, rhs);
                double compute = traffic.Flops / peak;
                double memoryFloor = Math.Max(traffic.Bytes / copyBandwidth, compute);
                double cacheFloor = Math.Max(traffic.Bytes / cacheBandwidth, compute);
                text.AppendLine(Invariant($"| {n} | {rhs} | {traffic.Bytes / 1e6:F2} MB | {traffic.Flops / 1e6:F1} | {cacheBandwidth:F1} | {memoryFloor / 1e3:F2} | {cacheFloor / 1e3:F2} | {solve / 1e3:F2} | {solve / memoryFloor:F2} | {solve / cacheFloor:F2} |"));
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

    /// <summary>Mean time in nanoseconds of a method (at order <paramref name="n"/>, for parameterized suites), or null if it did not run.</summary>
    private static double? Mean(List<(Summary summary, BenchmarkReport report)> reports, string method, int? n) =>
        reports
            .Where(entry => Name(entry.report) == method
                && (n is null || entry.report.BenchmarkCase.Parameters.Items.Any(parameter => parameter.Name == "N" && Equals(parameter.Value, n))))
            .Select(entry => entry.report.ResultStatistics?.Mean)
            .FirstOrDefault(mean => mean is not null);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
