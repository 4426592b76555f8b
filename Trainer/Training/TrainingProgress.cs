namespace GenLu.Trainer.Training;

/// <summary>A snapshot of a running training, for progress displays.</summary>
internal readonly record struct TrainingProgress(
    int Block,
    int BlockCount,
    int StepInBlock,
    long TotalSteps,
    double Loss,
    double LearningRate,
    double StepsPerSecond,
    double EtaSeconds);

/// <summary>Losses recorded during training (plots, provenance, checkpoints).</summary>
internal sealed class TrainingHistory
{
    /// <summary>The training loss of every step, in order.</summary>
    public List<float> TrainLoss { get; } = [];

    /// <summary>(step, loss) every test interval: mean of ||(LU - A) x||² over fixed random x.</summary>
    public List<(long Step, double Loss)> TestLoss { get; } = [];

    /// <summary>The global step at which each block began.</summary>
    public List<long> BlockStarts { get; } = [];
}

/// <summary>How a call to <see cref="GfmmTrainer.Run"/> ended.</summary>
internal enum TrainingStatus
{
    Completed,
    Cancelled,
}
