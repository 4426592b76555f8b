using GenLu.Trainer.Training;

namespace GenLu.Tests;

public sealed class CheckpointTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("genlu-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Theory]
    [InlineData(false, 37)]
    [InlineData(true, 37)]
    [InlineData(true, 60)]
    public void AResumedRunEndsBitIdenticalToAnUninterruptedOne(bool blockWise, int interruptAt)
    {
        var options = TestProblems.Tiny() with { BlockWise = blockWise, TransposeLoss = true, MaxStepsPerBlock = 30, CheckInterval = 8, LateAfterSteps = 12 };
        if (!blockWise) options = options with { MaxStepsPerBlock = 100 };
        var problem = TestProblems.Laplacian(8);

        using var uninterrupted = new GfmmTrainer(problem, options);
        uninterrupted.Run(CancellationToken.None).ShouldBe(TrainingStatus.Completed);

        // Interrupt (as Ctrl+C does) mid-block and mid-saturation-window, or at a block boundary.
        string checkpoint = Path.Combine(directory, "run.ckpt.json");
        using (var interrupted = new GfmmTrainer(problem, options))
        using (var cancel = new CancellationTokenSource())
        {
            interrupted.Run(cancel.Token, p => { if (p.TotalSteps == interruptAt) cancel.Cancel(); }, checkpoint, checkpointInterval: 1000, progressInterval: 1)
                .ShouldBe(TrainingStatus.Cancelled);
            interrupted.TotalSteps.ShouldBe(interruptAt);
        }

        using var resumed = new GfmmTrainer(problem, options);
        TrainingCheckpoint.Restore(resumed, checkpoint);
        resumed.TotalSteps.ShouldBe(interruptAt);
        resumed.Run(CancellationToken.None).ShouldBe(TrainingStatus.Completed);

        resumed.TotalSteps.ShouldBe(uninterrupted.TotalSteps);
        var (expectedLower, expectedUpper) = uninterrupted.Network.ExportBlocks();
        var (actualLower, actualUpper) = resumed.Network.ExportBlocks();
        Bits(actualLower.ToArray()).ShouldBe(Bits(expectedLower.ToArray()));
        Bits(actualUpper.ToArray()).ShouldBe(Bits(expectedUpper.ToArray()));
        resumed.History.TrainLoss.ShouldBe(uninterrupted.History.TrainLoss);
        resumed.History.TestLoss.ShouldBe(uninterrupted.History.TestLoss);
        resumed.History.BlockStarts.ShouldBe(uninterrupted.History.BlockStarts);
    }

    [Fact]
    public void ResumingWithDifferentOptionsOrAnotherMatrixIsRefused()
    {
        var options = TestProblems.Tiny() with { MaxStepsPerBlock = 5 };
        string checkpoint = Path.Combine(directory, "run.ckpt.json");
        using (var trainer = new GfmmTrainer(TestProblems.Laplacian(8), options))
            trainer.Run(CancellationToken.None, checkpointPath: checkpoint);

        using (var otherSeed = new GfmmTrainer(TestProblems.Laplacian(8), options with { Seed = 6 }))
            Should.Throw<CheckpointException>(() => TrainingCheckpoint.Restore(otherSeed, checkpoint)).Message.ShouldContain("Seed");

        var shifted = TestProblems.Laplacian(8);
        shifted.Matrix[0] = 3;
        using (var otherMatrix = new GfmmTrainer(shifted, options))
            Should.Throw<CheckpointException>(() => TrainingCheckpoint.Restore(otherMatrix, checkpoint)).Message.ShouldContain("entries differ");

        File.WriteAllText(checkpoint, "{ not json");
        using (var trainer = new GfmmTrainer(TestProblems.Laplacian(8), options))
            Should.Throw<CheckpointException>(() => TrainingCheckpoint.Restore(trainer, checkpoint)).Message.ShouldContain("Cannot read checkpoint");
    }

    private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();
}
