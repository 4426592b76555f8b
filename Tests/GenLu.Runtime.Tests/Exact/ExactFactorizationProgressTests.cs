using GenLu.Exact;

namespace GenLu.Tests.Exact;

/// <summary>The library entry point's progress reports and cancellation.</summary>
public sealed class ExactFactorizationProgressTests
{
    private const int M = 8, P = 4, N = M * P;

    /// <summary>A dense, diagonally dominant matrix: every Schur block is safely invertible, every factor has a far field.</summary>
    private static double[] DiagonallyDominant()
    {
        var random = new Random(17);
        var a = new double[N * N];
        for (int i = 0; i < N; i++)
        {
            for (int j = 0; j < N; j++)
                a[(i * N) + j] = i == j ? N : (2 * random.NextDouble()) - 1;
        }

        return a;
    }

    [Fact]
    public void ProgressReportsEveryBlockThenEveryLevelOfEachFactorInOrder()
    {
        var reports = new List<ExactProgress>();
        ExactFactorization.Build(DiagonallyDominant(), M * P, M, P, progress: new Recorder(reports.Add));

        int levels = 3 - 1; // log2(M) - 1 levels carry nested bases
        var expected = Enumerable.Range(1, M).Select(b => new ExactProgress(ExactStage.BlockLu, b, M))
            .Concat(Enumerable.Range(1, levels).Select(l => new ExactProgress(ExactStage.LowerFactor, l, levels)))
            .Concat(Enumerable.Range(1, levels).Select(l => new ExactProgress(ExactStage.UpperFactor, l, levels)));
        reports.ShouldBe(expected);
    }

    [Fact]
    public void A_cancelled_token_stops_before_the_first_block()
    {
        var reports = new List<ExactProgress>();
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        Should.Throw<OperationCanceledException>(() =>
            ExactFactorization.Build(DiagonallyDominant(), M * P, M, P, progress: new Recorder(reports.Add), cancellationToken: cancellation.Token));
        reports.ShouldBeEmpty();
    }

    [Theory]
    [InlineData(ExactStage.BlockLu, 3)]
    [InlineData(ExactStage.LowerFactor, 1)]
    [InlineData(ExactStage.UpperFactor, 1)]
    public void Cancellation_during_a_stage_is_seen_before_the_next_step(ExactStage stage, int done)
    {
        var reports = new List<ExactProgress>();
        using var cancellation = new CancellationTokenSource();
        void Record(ExactProgress report)
        {
            reports.Add(report);
            if (report.Stage == stage && report.Done == done)
                cancellation.Cancel();
        }

        Should.Throw<OperationCanceledException>(() =>
            ExactFactorization.Build(DiagonallyDominant(), M * P, M, P, progress: new Recorder(Record), cancellationToken: cancellation.Token));
        reports[^1].ShouldBe(new ExactProgress(stage, done, stage == ExactStage.BlockLu ? M : 2));
    }

    /// <summary>Reports synchronously on the calling thread (Progress&lt;T&gt; would post them to the thread pool).</summary>
    private sealed class Recorder(Action<ExactProgress> record) : IProgress<ExactProgress>
    {
        public void Report(ExactProgress value) => record(value);
    }
}
