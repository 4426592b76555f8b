using System.Diagnostics;
using Spectre.Console;
using GenLu.Exact;
using GenLu.Trainer.Training;

namespace GenLu.Trainer.Cli;

/// <summary>
/// Shows a training's progress: a live Spectre progress bar on a terminal, plain lines (every few seconds
/// and at each block's end) when the output is redirected.
/// </summary>
internal static class TrainingProgressView
{
    private static readonly TimeSpan PlainLineInterval = TimeSpan.FromSeconds(5);

    /// <summary>Runs <paramref name="train"/>, handing it the callback that displays progress.</summary>
    public static TrainingStatus Show(CliConsole console, long maxSteps, Func<Action<TrainingProgress>, TrainingStatus> train)
    {
        if (!console.Interactive)
        {
            var sinceLine = Stopwatch.StartNew();
            int lastBlock = -1;
            return train(p =>
            {
                if (sinceLine.Elapsed < PlainLineInterval && p.Block == lastBlock) return;
                lastBlock = p.Block;
                sinceLine.Restart();
                console.Out.WriteLine($"{Describe(p)}  ETA <= {FormatSeconds(p.EtaSeconds)}");
            });
        }

        TrainingStatus status = TrainingStatus.Completed;
        console.Out.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask("starting", maxValue: maxSteps);
                status = train(p =>
                {
                    task.Description = Markup.Escape(Describe(p));
                    // Block-wise runs stop blocks early, so the bar counts toward the upper bound of steps.
                    task.MaxValue = p.TotalSteps + p.EtaSeconds * p.StepsPerSecond;
                    task.Value = p.TotalSteps;
                });
                task.Value = task.MaxValue;
            });
        return status;
    }

    private static string Describe(TrainingProgress p) =>
        $"block {p.Block + 1}/{p.BlockCount}  step {p.TotalSteps}  loss {p.Loss:0.000e+00}  lr {p.LearningRate:0.00e+00}  {p.StepsPerSecond:0} steps/s";

    private static string FormatSeconds(double seconds) =>
        double.IsFinite(seconds) ? TimeSpan.FromSeconds(Math.Round(seconds)).ToString(@"h\:mm\:ss") : "?";
}
