using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GenLu.Trainer.Model;

/// <summary>Process-wide settings for libtorch that must be in place before it loads.</summary>
internal static partial class TorchRuntime
{
    /// <summary>
    /// libtorch parallelises with OpenMP, whose worker threads spin while they wait by default. On a small
    /// machine shared with other processes the spinning threads compete with the ones doing the work, and
    /// a training step measured 15-20x slower (16 instead of 250 steps/s on 2 busy cores). Passive waiting
    /// costs little when the machine is idle. libgomp reads OMP_WAIT_POLICY once, when libtorch is loaded,
    /// from the native environment (which Environment.SetEnvironmentVariable does not change on Unix), so
    /// it is set with setenv as soon as this assembly loads; a value the user set is kept.
    /// </summary>
    [ModuleInitializer]
    internal static void PreferPassiveOpenMpWaits()
    {
        if (OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is null)
            _ = SetEnvironment("OMP_WAIT_POLICY", "PASSIVE", overwrite: 0);
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnvironment(string name, string value, int overwrite);
}
