namespace GenLu.Trainer.Training;

/// <summary>
/// The reference's early-stopping rule (spec "Saturation"): the training loss is averaged over windows of
/// <c>CheckInterval</c> steps; from the second window on, a window whose mean improves on the previous
/// window's mean by less than <c>Threshold</c> (relative) is a shortfall; <c>Patience</c> consecutive
/// shortfalls mean the block is saturated. The mean (not one step's loss) makes the rule robust to the
/// step-to-step jitter of Adam.
/// </summary>
internal sealed class SaturationDetector(int checkInterval, double threshold, int patience)
{
    /// <summary>The detector's whole state, for checkpoints.</summary>
    public readonly record struct State(int StepsInWindow, double WindowSum, double PreviousMean, int Shortfalls);

    private State state = Fresh;

    private static State Fresh => new(0, 0, double.NaN, 0);

    public State Current { get => state; set => state = value; }

    public void Reset() => state = Fresh;

    /// <summary>Records one step's loss; true when the block has saturated.</summary>
    public bool Record(double loss)
    {
        var (steps, sum, previous, shortfalls) = state;
        steps++;
        sum += loss;
        bool saturated = false;
        if (steps == checkInterval)
        {
            double mean = sum / checkInterval;
            if (!double.IsNaN(previous))
            {
                // A loss that reached 0 cannot improve any more.
                double improvement = previous > 0 ? (previous - mean) / previous : 0;
                shortfalls = improvement < threshold ? shortfalls + 1 : 0;
                saturated = shortfalls >= patience;
            }
            (steps, sum, previous) = (0, 0, mean);
        }
        state = new State(steps, sum, previous, shortfalls);
        return saturated;
    }
}
