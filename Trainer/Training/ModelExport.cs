using GenLu.Exact;
using System.Text.Json.Nodes;
using GenLu.Metrics;
using GenLu.Gfmm;
using GenLu.Structure;

namespace GenLu.Trainer.Training;

/// <summary>What the optional L-BFGS polish did.</summary>
internal sealed record PolishReport(int Iterations, double Loss, double Seconds);

/// <summary>Turns a trained network into a Runtime <see cref="GfmmModel"/> with its provenance.</summary>
internal static class ModelExport
{
    /// <summary>
    /// The model (order N, blocks of order M·P fitted to <c>(A/s) ⊕ I</c>) with provenance: <c>operator</c> (name, N,
    /// parameters), <c>training</c> (method, steps, seed, final_loss = ‖LU − A/s ⊕ I‖_F² of the whole padded matrix,
    /// seconds, settings) and <c>metrics</c> (see <see cref="Metrics"/>).
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
        return new GfmmModel(lower, upper, problem.Scale, provenance, problem.N);
    }

    /// <summary>Random vectors of the sampled residual (large problems).</summary>
    public const int ResidualSamples = 4;

    /// <summary>Rows compared by <see cref="SampledRowErrorField"/>.</summary>
    public const int ErrorRows = 16;

    /// <summary>
    /// The <c>"metrics"</c> field of a matrix given by entries above the dense order: ‖R (LU − A/s)‖_F / ‖R A/s‖_F over
    /// <see cref="ErrorRows"/> seeded random rows R (<see cref="SampledError"/>; O(N · P) per row).
    /// </summary>
    public const string SampledRowErrorField = "sampled_row_relative_error";

    /// <summary>The <c>"metrics"</c> field of the sampled residual: max over the samples of ‖LU x − (A/s ⊕ I) x‖ / ‖(A/s ⊕ I) x‖.</summary>
    public const string SampledResidualField = "sampled_relative_residual";

    /// <summary>
    /// The accuracy of the stored weights (float32 or float64) against the padded scaled operator <c>(A/s) ⊕ I</c> (what the blocks
    /// factor). Up to padded order <see cref="TrainingProblem.MaxDenseOrder"/>: error_2 = ‖LU − A/s‖₂ and the relative
    /// Frobenius error, in float64 from the dense product, and <paramref name="residual"/> = the leading N x N block of
    /// LU − A/s (row-major, for plots). Above it nothing N² is formed: the metrics hold only
    /// <see cref="SampledResidualField"/>, the largest relative residual over <see cref="ResidualSamples"/> seeded random
    /// vectors x (representable in the model's dtype), with LU x from the model's own product (float32 or float64) and (A/s) x from the matrix's own product (O(nnz) for CSR);
    /// <paramref name="residual"/> is then empty.
    /// </summary>
    public static ModelMetrics Metrics(GfmmBlock lower, GfmmBlock upper, TrainingProblem problem, out double[] residual)
    {
        // The blocks' own order (n defaults to M * P), so the dense form and the products are padded whatever N is.
        var padded = new GfmmModel(lower, upper, 1);
        int order = padded.PaddedN, n = problem.N;
        if (order > TrainingProblem.MaxDenseOrder)
        {
            residual = [];
            if (problem.Entries is { } entries)
            {
                var model = new GfmmModel(lower, upper, 1, null, n);
                double rows = SampledError.Estimate(model, entries, ErrorRows, seed: 12345).RelativeFrobenius;
                return new ModelMetrics { AdditionalFields = new() { [SampledRowErrorField] = rows } };
            }

            return new ModelMetrics { AdditionalFields = new() { [SampledResidualField] = SampledResidual(padded, problem) } };
        }

        // The Runtime's dense product of the stored weights, for the scaled operator (scale 1).
        double[] product = padded.ToDense();
        double[] exact = problem.PaddedMatrix(order);
        double[] difference = product.Zip(exact, (approx, value) => approx - value).ToArray();
        residual = new double[(long)n * n];
        for (int i = 0; i < n; i++) difference.AsSpan(i * order, n).CopyTo(residual.AsSpan(i * n, n));
        return new ModelMetrics
        {
            Error2 = MatrixNorms.Spectral(difference, order, order),
            RelativeFrobenius = MatrixNorms.RelativeFrobeniusError(product, exact),
        };
    }

    private static double SampledResidual(GfmmModel padded, TrainingProblem problem)
    {
        int order = padded.PaddedN, n = problem.N;
        var random = new Random(12345);
        bool single = padded.Dtype == GfmmDtype.Float32;
        var x = new double[order];
        var product = new double[order];
        var singleX = single ? new float[order] : [];
        var singleProduct = single ? new float[order] : [];
        var xHead = new double[n];
        var exactHead = new double[n];
        var workspace = padded.CreateWorkspace();
        double worst = 0;
        for (int sample = 0; sample < ResidualSamples; sample++)
        {
            for (int i = 0; i < order; i++) x[i] = single ? (float)(random.NextDouble() - 0.5) : random.NextDouble() - 0.5;
            for (int i = 0; i < n; i++) xHead[i] = x[i];
            if (single)
            {
                for (int i = 0; i < order; i++) singleX[i] = (float)x[i];
                padded.Apply(singleX, singleProduct, workspace);
                for (int i = 0; i < order; i++) product[i] = singleProduct[i];
            }
            else
            {
                padded.Apply(x, product, workspace);
            }
            problem.Apply(xHead, exactHead);
            double error = 0, norm = 0;
            for (int i = 0; i < order; i++)
            {
                // (A/s ⊕ I) x: A/s on the first N entries, the identity on the padding.
                double exact = i < n ? exactHead[i] : x[i];
                error += (product[i] - exact) * (product[i] - exact);
                norm += exact * exact;
            }
            worst = Math.Max(worst, Math.Sqrt(error / norm));
        }
        return worst;
    }
}
