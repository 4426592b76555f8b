using Spectre.Console;

namespace GenLu.Trainer;

/// <summary>
/// Where a command writes: tables and progress to <see cref="Out"/>, the one-line error to
/// <see cref="Error"/>. <see cref="Interactive"/> chooses live progress bars over plain progress lines.
/// </summary>
internal sealed record CliConsole(IAnsiConsole Out, TextWriter Error, bool Interactive)
{
    /// <summary>The process's console; plain lines when the output is redirected.</summary>
    public static CliConsole FromSystemConsole() =>
        new(AnsiConsole.Console, Console.Error, !Console.IsOutputRedirected);

    /// <summary>A non-interactive console that writes into <paramref name="output"/> (tests, pipes).</summary>
    public static CliConsole Plain(TextWriter output, TextWriter error) =>
        new(AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        }), error, false);
}

/// <summary>A user error the command line reports as one line (bad file, inconsistent options, …).</summary>
internal sealed class CliException(string message, Exception? inner = null) : Exception(message, inner);
