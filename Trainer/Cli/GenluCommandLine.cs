using System.CommandLine;
using System.CommandLine.Help;
using GenLu.Trainer.Training;

namespace GenLu.Trainer.Cli;

/// <summary>The <c>genlu</c> command tree and its invocation with one-line error reporting.</summary>
internal static class GenluCommandLine
{
    /// <summary>Exit code of a run stopped by Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int InterruptedExitCode = 130;

    public static RootCommand Create(CliConsole console)
    {
        var root = new RootCommand("GenLu: learn structured (GFMM) L and U factors of a matrix, and evaluate them.");
        root.Subcommands.Add(TrainCommand.Create(console));
        root.Subcommands.Add(FactorCommand.Create(console));
        root.Subcommands.Add(TuneCommand.Create(console));
        root.Subcommands.Add(EvalCommand.Create(console));
        root.Subcommands.Add(SolveCommand.Create(console));
        root.Subcommands.Add(ExportCommand.Create(console));
        root.Subcommands.Add(ImportCommand.Create(console));
        root.Subcommands.Add(InspectCommand.Create(console));
        root.Subcommands.Add(OperatorsCommand.Create(console));
        // Without a command, show the commands instead of an error.
        root.SetAction(result => new HelpAction().Invoke(result));
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; a parse error is one line on the error writer, exit code 1.</summary>
    public static async Task<int> InvokeAsync(string[] args, CliConsole console, TextWriter helpOutput, CancellationToken cancellation = default)
    {
        var parseResult = Create(console).Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            foreach (var error in parseResult.Errors)
                await console.Error.WriteLineAsync($"genlu: {error.Message}");
            return 1;
        }
        var configuration = new InvocationConfiguration
        {
            Output = helpOutput,
            Error = console.Error,
            // Leave time to write the checkpoint after Ctrl+C before the process is torn down.
            ProcessTerminationTimeout = TimeSpan.FromSeconds(60),
        };
        return await parseResult.InvokeAsync(configuration, cancellation);
    }

    /// <summary>Warns (one line on stderr) when a model is written under a name the source generator does not pick up.</summary>
    public static void WarnUnlessWeightFileName(CliConsole console, string command, string path)
    {
        if (!path.EndsWith(".gfmm.json", StringComparison.OrdinalIgnoreCase))
            console.Error.WriteLine($"genlu {command}: warning: '{Path.GetFileName(path)}' does not end in .gfmm.json; the GenLu generator only picks up *.gfmm.json files.");
    }

    /// <summary>
    /// Runs a command body; a user error (bad input, unreadable file) becomes one line on stderr and
    /// exit code 1, never a stack trace.
    /// </summary>
    public static int Guarded(CliConsole console, string command, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (e is CliException or ArgumentException or FormatException or IOException
            or UnauthorizedAccessException or CheckpointException or InvalidOperationException or ArithmeticException)
        {
            console.Error.WriteLine($"genlu {command}: {UserMessage(e)}");
            return 1;
        }
    }

    /// <summary>An exception's message as one line for the user: without the " (Parameter 'm')" and
    /// "Actual value was 6." that argument exceptions append (API details the user never typed), also where a
    /// reader has quoted such a message inside its own.</summary>
    internal static string UserMessage(Exception e)
    {
        string message = ArgumentDetails.Replace(e.Message, "");
        return message.ReplaceLineEndings(" ").Trim();
    }

    private static readonly System.Text.RegularExpressions.Regex ArgumentDetails = new(
        @" \(Parameter '[^']*'\)|\s*Actual value was .*$", System.Text.RegularExpressions.RegexOptions.Singleline);
}
