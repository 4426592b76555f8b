using GenLu.Metrics;
using GenLu.Gfmm;

namespace GenLu.Trainer.Training;

/// <summary>What the optional L-BFGS polish did.</summary>
internal sealed record PolishReport(int Iterations, double Loss, double Seconds);

/// <summary>Turns a trained network into a Runtime <see cref="GfmmModel"/> with its provenance.</summary>
internal static class ModelExport
{
    /// <summary>
    /// The model with provenance: <c>operator</c> (name, N, parameters), <c>training</c> (method, steps,
    /// seed, final_loss = ‖LU − A/s‖_F² of the whole matrix, seconds, settings) and <c>metrics</c>
    /// (error_2 = ‖LU − A/s‖₂ and the relative Frobenius error, in float64 from the stored float32 weights).
    /// </summary>
    public static GfmmModel Build(GfmmTrainer trainer, PolishReport? polish, out double[] residual)
    {
        var (lower, upper) = trainer.Network.ExportBlocks();
        var problem = trainer.Problem;
        var options = trainer.Options;

        var construction = new ConstructionProvenance
        {
            Method = ConstructionProvenance.GradientMethod,
            Optimizer = "adam",
            Steps = trainer.TotalSteps,
            Seed = options.Seed,
            FinalLoss = trainer.FullLoss(),
            Seconds = Math.Round(trainer.ElapsedSeconds, 3),
            BlockWise = options.BlockWise,
            TransposeLoss = options.TransposeLoss,
            LearningRate = options.LearningRate,
            LateLearningRate = options.LateLearningRate,
            LateAfterSteps = options.LateAfterSteps,
            Schedule = options.Schedule.ToString().ToLowerInvariant(),
            Betas = [options.Beta1, options.Beta2],
            MaxStepsPerBlock = options.MaxStepsPerBlock,
            BlockStarts = trainer.History.BlockStarts.ToArray(),
            Polish = polish is null ? null : new PolishProvenance
            {
                Method = "lbfgs-float64",
                Iterations = polish.Iterations,
                Loss = polish.Loss,
                Seconds = Math.Round(polish.Seconds, 3),
            },
        };
        var metrics = Metrics(lower, upper, problem, out residual);
        var provenance = new GfmmProvenance { Operator = problem.ToProvenance(), Construction = construction, Metrics = metrics };
        return new GfmmModel(lower, upper, problem.Scale, provenance);
    }

    /// <summary>
    /// error_2 = ‖LU − A/s‖₂ and the relative Frobenius error of the stored float32 weights against the
    /// scaled operator, in float64; <paramref name="residual"/> is LU − A/s (row-major), for plots.
    /// </summary>
    public static ModelMetrics Metrics(GfmmBlock lower, GfmmBlock upper, TrainingProblem problem, out double[] residual)
    {
        // The Runtime's dense product of the stored weights, for the scaled operator (scale 1).
        double[] product = new GfmmModel(lower, upper, 1).ToDense();
        residual = product.Zip(problem.Matrix, (approx, exact) => approx - exact).ToArray();
        return new ModelMetrics
        {
            Error2 = MatrixNorms.Spectral(residual, problem.N, problem.N),
            RelativeFrobenius = MatrixNorms.RelativeFrobeniusError(product, problem.Matrix),
        };
    }
}
