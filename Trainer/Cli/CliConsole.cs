using Spectre.Console;

namespace GenLu.Trainer.Cli;

/// <summary>
/// Where a command writes: tables and progress to <see cref="Out"/>, the one-line error to
/// <see cref="Error"/>. <see cref="Interactive"/> chooses live progress bars over plain progress lines.
/// </summary>
internal sealed record CliConsole(IAnsiConsole Out, TextWriter Error, bool Interactive)
{
    /// <summary>The process's console; plain lines when the output is redirected.</summary>
    public static CliConsole FromSystemConsole()
    {
        bool interactive = !Console.IsOutputRedirected;
        // Redirected output has no width; Spectre assumes 80 columns and would wrap progress lines.
        if (!interactive) AnsiConsole.Console.Profile.Width = PlainWidth;
        return new(AnsiConsole.Console, Console.Error, interactive);
    }

    private const int PlainWidth = 160;

    /// <summary>
    /// Writes <paramref name="text"/> and a newline as they are, past Spectre's rendering: machine-readable output (JSON)
    /// must not be wrapped at the console width, which would break a long string across lines.
    /// </summary>
    public void WriteVerbatim(string text)
    {
        var writer = Out.Profile.Out.Writer;
        writer.Write(text);
        writer.Write('\n');
        writer.Flush();
    }

    /// <summary>A non-interactive console that writes into <paramref name="output"/> (tests, pipes).</summary>
    public static CliConsole Plain(TextWriter output, TextWriter error)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = PlainWidth;
        return new(console, error, false);
    }
}

/// <summary>A user error the command line reports as one line (bad file, inconsistent options, …).</summary>
internal sealed class CliException(string message, Exception? inner = null) : Exception(message, inner);
