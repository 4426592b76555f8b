using System.Text.Json.Nodes;
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

        var training = new JsonObject
        {
            ["method"] = "gradient",
            ["optimizer"] = "adam",
            ["steps"] = trainer.TotalSteps,
            ["seed"] = options.Seed,
            ["final_loss"] = trainer.FullLoss(),
            ["seconds"] = Math.Round(trainer.ElapsedSeconds, 3),
            ["block_wise"] = options.BlockWise,
            ["transpose_loss"] = options.TransposeLoss,
            ["learning_rate"] = options.LearningRate,
            ["late_learning_rate"] = options.LateLearningRate,
            ["late_after_steps"] = options.LateAfterSteps,
            ["schedule"] = options.Schedule.ToString().ToLowerInvariant(),
            ["betas"] = new JsonArray(options.Beta1, options.Beta2),
            ["max_steps_per_block"] = options.MaxStepsPerBlock,
            ["block_starts"] = new JsonArray(trainer.History.BlockStarts.Select(s => (JsonNode)s).ToArray()),
        };
        if (polish is not null)
        {
            training["polish"] = new JsonObject
            {
                ["method"] = "lbfgs-float64",
                ["iterations"] = polish.Iterations,
                ["loss"] = polish.Loss,
                ["seconds"] = Math.Round(polish.Seconds, 3),
            };
        }
        var metrics = Metrics(lower, upper, problem, out residual);
        var provenance = new GfmmProvenance { Operator = problem.ToProvenance(), Training = training, Metrics = metrics };
        return new GfmmModel(lower, upper, problem.Scale, provenance);
    }

    /// <summary>
    /// error_2 = ‖LU − A/s‖₂ and the relative Frobenius error of the stored float32 weights against the
    /// scaled operator, in float64; <paramref name="residual"/> is LU − A/s (row-major), for plots.
    /// </summary>
    public static JsonObject Metrics(GfmmBlock lower, GfmmBlock upper, TrainingProblem problem, out double[] residual)
    {
        // The Runtime's dense product of the stored weights, for the scaled operator (scale 1).
        double[] product = new GfmmModel(lower, upper, 1).ToDense();
        residual = product.Zip(problem.Matrix, (approx, exact) => approx - exact).ToArray();
        return new JsonObject
        {
            ["error_2"] = MatrixNorms.Spectral(residual, problem.N, problem.N),
            ["relative_frobenius"] = MatrixNorms.RelativeFrobeniusError(product, problem.Matrix),
        };
    }
}
