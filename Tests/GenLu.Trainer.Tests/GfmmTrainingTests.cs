using GenLu.Trainer.Training;

namespace GenLu.Tests;

/// <summary>The library entry point: a trained model with its provenance, progress, cancellation.</summary>
public class GfmmTrainingTests
{
    private static TrainingOptions Small => TestProblems.Tiny(m: 2, p: 4) with { BlockWise = true, MaxStepsPerBlock = 60 };

    /// <summary>Records every report on the training thread (System.Progress would post them asynchronously).</summary>
    private sealed class RecordingProgress(Action<TrainingProgress>? onReport = null) : IProgress<TrainingProgress>
    {
        public List<TrainingProgress> Reports { get; } = [];

        public void Report(TrainingProgress value)
        {
            Reports.Add(value);
            onReport?.Invoke(value);
        }
    }

    [Fact]
    public void Train_returns_the_model_with_metrics_that_match_an_independent_dense_product()
    {
        var problem = TestProblems.Laplacian(8);
        var progress = new RecordingProgress();
        var result = GfmmTraining.Train(problem, Small, polishIterations: 5, progress);

        result.Steps.ShouldBe(120); // two blocks, each at its step limit (saturation needs 10-step windows to stall)
        result.PolishIterations.ShouldBeInRange(1, 5);
        var model = result.Model;
        (model.M, model.P, model.Scale).ShouldBe((2, 4, 1.0));
        model.Provenance.Operator!.Name.ShouldBe("laplacian1d");
        model.Provenance.Construction!.Method.ShouldBe("gradient");
        model.Provenance.Construction.Steps.ShouldBe(120);
        model.Provenance.Construction.Polish!.Iterations.ShouldBe(result.PolishIterations);

        // ‖LU − A‖_F / ‖A‖_F from the Runtime's dense product and the textbook Laplacian.
        double[] product = model.ToDense();
        double error = 0, norm = 0;
        for (int r = 0; r < 8; r++)
            for (int c = 0; c < 8; c++)
            {
                double a = r == c ? 2 : Math.Abs(r - c) == 1 ? -1 : 0;
                error += (product[r * 8 + c] - a) * (product[r * 8 + c] - a);
                norm += a * a;
            }
        model.Provenance.Metrics!.RelativeFrobenius!.Value.ShouldBe(Math.Sqrt(error / norm), 1e-9);
        Math.Sqrt(error / norm).ShouldBeLessThan(1); // it learned something: the zero model has relative error 1
    }

    [Fact]
    public void Progress_is_reported_at_each_block_end_with_increasing_steps()
    {
        var progress = new RecordingProgress();
        var result = GfmmTraining.Train(TestProblems.Laplacian(8), Small with { MaxStepsPerBlock = 120 }, progress: progress);

        // Every 50 steps of the run and at each block end (step 120 and 240).
        progress.Reports.Select(r => r.TotalSteps).ShouldBe([50L, 100, 120, 150, 200, 240]);
        progress.Reports.Select(r => r.Block).ShouldBe([0, 0, 0, 1, 1, 1]);
        progress.Reports.ShouldAllBe(r => r.BlockCount == 2 && double.IsFinite(r.Loss) && r.Loss >= 0);
        progress.Reports[^1].TotalSteps.ShouldBe(result.Steps);
    }

    [Fact]
    public void Cancelling_between_steps_throws_OperationCanceledException_and_stops_training()
    {
        using var cancellation = new CancellationTokenSource();
        var progress = new RecordingProgress(_ => cancellation.Cancel());
        var e = Should.Throw<OperationCanceledException>(() =>
            GfmmTraining.Train(TestProblems.Laplacian(8), Small with { MaxStepsPerBlock = 1_000 }, progress: progress, cancellation: cancellation.Token));
        e.CancellationToken.ShouldBe(cancellation.Token);
        e.Message.ShouldContain("step 50");
        progress.Reports.Count.ShouldBe(1); // no step ran after the one that cancelled
    }

    [Fact]
    public void A_token_cancelled_before_the_call_throws_before_any_step()
    {
        var progress = new RecordingProgress();
        Should.Throw<OperationCanceledException>(() =>
            GfmmTraining.Train(TestProblems.Laplacian(8), Small, progress: progress, cancellation: new CancellationToken(canceled: true)));
        progress.Reports.ShouldBeEmpty();
    }

    [Fact]
    public void Bad_arguments_are_rejected_before_training()
    {
        Should.Throw<ArgumentNullException>(() => GfmmTraining.Train(null!, Small));
        Should.Throw<ArgumentOutOfRangeException>(() => GfmmTraining.Train(TestProblems.Laplacian(8), Small, polishIterations: -1));
        Should.Throw<ArgumentException>(() => GfmmTraining.Train(TestProblems.Laplacian(12), Small)); // N = 12, M * P = 8
    }
}
