using System.Diagnostics;
using System.Globalization;

namespace GenLu.Benchmarks.Support;

/// <summary>
/// The timed CLI tables run each case in a child process of this benchmark executable, so that a case's peak resident
/// memory (VmHWM) is its own and one case's heap cannot slow the next.
/// </summary>
internal static class ChildProcessRow
{
    /// <summary>Runs <c>GenLu.Benchmarks ARGUMENTS</c> and returns its trimmed standard output, or null when it failed.</summary>
    public static string? Run(params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
            start.ArgumentList.Add(typeof(ChildProcessRow).Assembly.Location); // run as `dotnet GenLu.Benchmarks.dll …`
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        // A case builds once and exits, as genlu does: the child gets genlu's JIT settings (Trainer/build/OneShotJit.props)
        // as the environment's equivalents. This process keeps .NET's defaults, which BenchmarkDotNet's in-process runs measure.
        start.Environment["DOTNET_TieredPGO"] = "0";
        start.Environment["DOTNET_TC_CallCountingDelayMs"] = "0";
        using var child = Process.Start(start)!;
        string line = child.StandardOutput.ReadToEnd().Trim();
        child.WaitForExit();
        return child.ExitCode == 0 ? line : null;
    }

    /// <summary>This process's peak resident set so far (VmHWM), in MB; −1 where /proc is not there.</summary>
    public static long PeakResidentMegabytes()
    {
        if (!File.Exists("/proc/self/status")) return -1;
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        }

        return -1;
    }

    /// <summary>The median of <paramref name="runs"/> timed calls after at least a second and 30 calls of warm-up, in ms.</summary>
    public static double MedianMilliseconds(Action call, int runs = 5)
    {
        // A second and 30 calls at least: the JIT's optimized tier replaces the first calls' code only after ~30 calls.
        var warm = Stopwatch.StartNew();
        for (int k = 0; k < 30 || warm.Elapsed.TotalSeconds < 1; k++) call();
        var times = new double[runs];
        for (int k = 0; k < runs; k++)
        {
            long started = Stopwatch.GetTimestamp();
            call();
            times[k] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        Array.Sort(times);
        return times[runs / 2];
    }
}
