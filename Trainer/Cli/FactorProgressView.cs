using System.Diagnostics;
using Spectre.Console;
using GenLu.Exact;

namespace GenLu.Trainer.Cli;

/// <summary>
/// Shows the exact construction's progress (<see cref="ExactProgress"/>: blocks of the block LU, then the tree levels of
/// L and of U): live Spectre progress bars on a terminal, plain lines (every few seconds and at the end of each stage)
/// when the output is redirected, like <see cref="TrainingProgressView"/>.
/// </summary>
internal static class FactorProgressView
{
    private static readonly TimeSpan PlainLineInterval = TimeSpan.FromSeconds(5);

    /// <summary>Runs <paramref name="build"/>, handing it the progress sink that displays its reports.</summary>
    public static ExactResult Show(CliConsole console, Func<IProgress<ExactProgress>, ExactResult> build)
    {
        if (!console.Interactive)
        {
            var sinceLine = Stopwatch.StartNew();
            return build(new Sink(p =>
            {
                if (sinceLine.Elapsed < PlainLineInterval && p.Done < p.Total) return;
                sinceLine.Restart();
                console.Out.WriteLine(Describe(p));
            }));
        }

        ExactResult? result = null;
        console.Out.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var tasks = new Dictionary<ExactStage, ProgressTask>();
                result = build(new Sink(p =>
                {
                    if (!tasks.TryGetValue(p.Stage, out var task))
                        tasks[p.Stage] = task = context.AddTask(StageName(p.Stage), maxValue: Math.Max(p.Total, 1));
                    task.Description = Markup.Escape(Describe(p));
                    task.Value = p.Total == 0 ? 1 : p.Done;
                }));
            });
        return result!;
    }

    private static string Describe(ExactProgress p) => p.Stage switch
    {
        ExactStage.BlockLu => $"block LU: {p.Done}/{p.Total} blocks",
        ExactStage.Compression => $"compression: {p.Done}/{p.Total} leaves",
        _ => $"{StageName(p.Stage)}: {p.Done}/{p.Total} levels",
    };

    private static string StageName(ExactStage stage) => stage switch
    {
        ExactStage.BlockLu => "block LU",
        ExactStage.LowerFactor => "L far field",
        ExactStage.Compression => "compression from entries",
        _ => "U far field",
    };

    /// <summary>Reports synchronously on the building thread (<see cref="Progress{T}"/> would post them elsewhere, late and unordered).</summary>
    private sealed class Sink(Action<ExactProgress> report) : IProgress<ExactProgress>
    {
        public void Report(ExactProgress value) => report(value);
    }
}
