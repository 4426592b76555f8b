using System.Diagnostics;
using GenLu.Gfmm;

namespace GenLu.Trainer.Training;

/// <summary>What <see cref="GfmmTraining.Train"/> produced.</summary>
/// <param name="Model">The trained model with its provenance (operator, training settings, metrics); not saved anywhere.</param>
/// <param name="Steps">Adam steps taken.</param>
/// <param name="Seconds">Wall time of the training steps (without the polish).</param>
/// <param name="PolishIterations">L-BFGS iterations of the polish (0 when none ran).</param>
public sealed record TrainingResult(GfmmModel Model, long Steps, double Seconds, int PolishIterations);

/// <summary>
/// Training as a library call: what <c>genlu train</c> does without the command line, checkpoints or plots.
/// </summary>
public static class GfmmTraining
{
    /// <summary>
    /// Learns L and U with <c>L · U ≈ A / s</c> for <paramref name="problem"/> (spec "Training"), then, if
    /// <paramref name="polishIterations"/> &gt; 0, polishes them with L-BFGS in float64, and returns the model
    /// (scale <see cref="TrainingProblem.Scale"/>) with its provenance and metrics.
    /// </summary>
    /// <param name="problem">The scaled matrix; its order N is at most <c>options.M · options.P</c> (the blocks fit <c>(A / s) ⊕ I</c>, and the model records N).</param>
    /// <param name="options">The settings (<see cref="TrainingOptions.Validate"/> runs first).</param>
    /// <param name="polishIterations">L-BFGS iterations after training; 0 skips the polish.</param>
    /// <param name="progress">Told every 50 steps and at the end of each block; called on the training thread.</param>
    /// <param name="cancellation">Checked between two steps and between two polish iterations.</param>
    /// <param name="polishProgress">Told after every polish iteration; called on the training thread.</param>
    /// <exception cref="OperationCanceledException">The token fired: nothing is returned and nothing was written.</exception>
    public static TrainingResult Train(TrainingProblem problem, TrainingOptions options, int polishIterations = 0,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default, IProgress<PolishProgress>? polishProgress = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(polishIterations);
        cancellation.ThrowIfCancellationRequested();

        using var trainer = new GfmmTrainer(problem, options);
        Action<TrainingProgress>? report = progress is null ? null : progress.Report;
        if (trainer.Run(cancellation, report) == TrainingStatus.Cancelled)
            throw new OperationCanceledException($"Training was cancelled at step {trainer.TotalSteps}.", cancellation);

        PolishReport? polish = null;
        if (polishIterations > 0)
        {
            var clock = Stopwatch.StartNew();
            var (iterations, loss) = LbfgsPolish.Run(trainer.Network, problem, polishIterations, cancellation,
                polishProgress is null ? null : polishProgress.Report);
            cancellation.ThrowIfCancellationRequested();
            polish = new PolishReport(iterations, loss, clock.Elapsed.TotalSeconds);
        }

        var model = ModelExport.Build(trainer, polish, out _);
        return new TrainingResult(model, trainer.TotalSteps, trainer.ElapsedSeconds, polish?.Iterations ?? 0);
    }
}
