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
            var lines = new PlainLines<TrainingProgress>(console, p => $"{Describe(p)}  ETA <= {FormatSeconds(p.EtaSeconds)}");
            var status = train(p => lines.Report(p, startsNewPart: lines.Last is { } last && last.Block != p.Block));
            lines.Finish();
            return status;
        }

        TrainingStatus result = TrainingStatus.Completed;
        console.Out.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask("starting", maxValue: maxSteps);
                result = train(p =>
                {
                    task.Description = Markup.Escape(Describe(p));
                    // Block-wise runs stop blocks early, so the bar counts toward the upper bound of steps.
                    task.MaxValue = p.TotalSteps + p.EtaSeconds * p.StepsPerSecond;
                    task.Value = p.TotalSteps;
                });
                task.Value = task.MaxValue;
            });
        return result;
    }

    /// <summary>Runs the L-BFGS polish, showing its iterations and current loss.</summary>
    public static T ShowPolish<T>(CliConsole console, int maxIterations, Func<Action<PolishProgress>, T> polish)
    {
        if (!console.Interactive)
        {
            var lines = new PlainLines<PolishProgress>(console, DescribePolish);
            T outcome = polish(p => lines.Report(p, startsNewPart: false));
            lines.Finish();
            return outcome;
        }

        T result = default!;
        console.Out.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask("polishing", maxValue: Math.Max(1, maxIterations));
                result = polish(p =>
                {
                    task.Description = Markup.Escape(DescribePolish(p));
                    task.Value = p.Iteration;
                });
                // The polish stops early when no step lowers the loss: the bar ends full either way.
                task.Value = task.MaxValue;
            });
        return result;
    }

    private static string Describe(TrainingProgress p) =>
        $"block {p.Block + 1}/{p.BlockCount}  step {p.TotalSteps}  loss {p.Loss:0.000e+00}  lr {p.LearningRate:0.00e+00}  {p.StepsPerSecond:0} steps/s";

    private static string DescribePolish(PolishProgress p) =>
        $"polish  iteration {p.Iteration}/{p.MaxIterations}  loss {p.Loss:0.000e+00}  {p.Iteration / Math.Max(p.Seconds, 1e-9):0.0} iterations/s";

    private static string FormatSeconds(double seconds) =>
        double.IsFinite(seconds) ? TimeSpan.FromSeconds(Math.Round(seconds)).ToString(@"h\:mm\:ss") : "?";

    /// <summary>
    /// Progress as plain lines for a pipe: one every few seconds, and the last report of a part (a block, the
    /// whole run) when the next part starts or the run ends, so each line shows the loss reached by then
    /// rather than the loss a block started from.
    /// </summary>
    internal sealed class PlainLines<T>(CliConsole console, Func<T, string> describe) where T : struct
    {
        private readonly Stopwatch sinceLine = Stopwatch.StartNew();
        private bool lastPrinted = true;
        private bool printedAny;

        public T? Last { get; private set; }

        public void Report(T progress, bool startsNewPart)
        {
            if (startsNewPart && !lastPrinted) Print(Last!.Value);
            Last = progress;
            lastPrinted = false;
            if (!printedAny || sinceLine.Elapsed >= PlainLineInterval) Print(progress);
        }

        public void Finish()
        {
            if (Last is { } last && !lastPrinted) Print(last);
        }

        private void Print(T progress)
        {
            console.Out.WriteLine(describe(progress));
            sinceLine.Restart();
            lastPrinted = true;
            printedAny = true;
        }
    }
}
