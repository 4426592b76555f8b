using GenLu.Trainer.Cli;

namespace GenLu.Tests;

/// <summary>What one in-process <c>genlu</c> run printed and returned.</summary>
internal sealed record Outcome(int ExitCode, string Output, string Error);

/// <summary>Runs <c>genlu</c> in process, as the command-line tests do: plain (non-TTY) console, help on the output.</summary>
internal static class Cli
{
    public static async Task<Outcome> Run(CancellationToken cancellation, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await GenluCommandLine.InvokeAsync(args, CliConsole.Plain(output, error), output, cancellation);
        return new Outcome(code, output.ToString(), error.ToString());
    }

    public static Task<Outcome> Run(params string[] args) => Run(CancellationToken.None, args);
}
