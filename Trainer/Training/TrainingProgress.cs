namespace GenLu.Trainer.Training;

/// <summary>A snapshot of a running training, for progress displays.</summary>
/// <param name="Block">The block row being fitted (0 without block-wise training).</param>
/// <param name="BlockCount">Blocks the run fits one after another.</param>
/// <param name="StepInBlock">Steps taken in the current block.</param>
/// <param name="TotalSteps">Steps taken in the whole run.</param>
/// <param name="Loss">The loss of the last step (before its update).</param>
/// <param name="LearningRate">The learning rate of the last step.</param>
/// <param name="StepsPerSecond">Speed of this session.</param>
/// <param name="EtaSeconds">Time left if every remaining block ran to its step limit (an upper estimate).</param>
public readonly record struct TrainingProgress(
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
    /// <summary>Every block was fitted.</summary>
    Completed,

    /// <summary>The cancellation token fired between two steps.</summary>
    Cancelled,
}
