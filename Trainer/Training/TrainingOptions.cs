namespace GenLu.Trainer.Training;

/// <summary>How the learning rate changes within a block.</summary>
public enum LearningRateSchedule
{
    /// <summary>The reference: <c>LearningRate</c>, then <c>LateLearningRate</c> after <c>LateAfterSteps</c> steps.</summary>
    Step,

    /// <summary>Cosine decay from <c>LearningRate</c> to <c>LateLearningRate</c> over the block's step limit.</summary>
    Cosine,
}

/// <summary>
/// Everything that determines a training run's result (spec "Training"; defaults are the reference's).
/// A checkpoint records these and resuming requires the same values.
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>
    /// Leaves M (a power of two >= 2). The default 8 gives, with P = 32, the default problem's N = 256; for a given
    /// order N the command line picks <see cref="LeavesFor"/> instead.
    /// </summary>
    public int M { get; init; } = 8;

    /// <summary>Leaf block size P (the default for every order: 32).</summary>
    public int P { get; init; } = 32;

    /// <summary>The smallest power of two M >= 2 with M · <paramref name="p"/> >= <paramref name="n"/> (the blocks then factor A ⊕ I).</summary>
    public static int LeavesFor(int n, int p)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(p);
        long blocks = Math.Max(2, ((long)n + p - 1) / p);
        return (int)Math.Min(1L << 30, (long)System.Numerics.BitOperations.RoundUpToPowerOf2((ulong)blocks));
    }

    /// <summary>Seeds the initial weights and the test vectors.</summary>
    public int Seed { get; init; } = 1234;

    /// <summary>
    /// Fit block row after block row, freezing what a fitted row depends on (see <see cref="FreezePlan"/>).
    /// The default: on the 1D Laplacian (N = 256, 32,000 steps) it reached ‖LU − A‖₂ = 0.018 against 0.13
    /// for fitting all rows at once with 15,000 steps, which had stalled there.
    /// </summary>
    public bool BlockWise { get; init; } = true;

    /// <summary>Also fit <c>U^T L^T e_i ≈ A^T e_i</c>.</summary>
    public bool TransposeLoss { get; init; }

    /// <summary>Adam's learning rate at the start of a block.</summary>
    public double LearningRate { get; init; } = 0.01;

    /// <summary>
    /// The learning rate once a block has run <see cref="LateAfterSteps"/> steps (step schedule; the
    /// reference: 0.001), or at the end of the block (cosine schedule).
    /// </summary>
    public double LateLearningRate { get; init; } = 1e-4;

    /// <summary>Steps of a block before the step schedule drops to <see cref="LateLearningRate"/>.</summary>
    public int LateAfterSteps { get; init; } = 5_000;

    /// <summary>
    /// Cosine by default: block-wise with 4,000 steps per block on the 1D Laplacian (N = 256) it reached
    /// ‖LU − A‖₂ = 4.8e-3 against 1.8e-2 for the reference's step schedule.
    /// </summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Cosine;

    /// <summary>
    /// Adam's first-moment decay. The reference uses 0.999; 0.9 reached a 2.6x smaller ‖LU − A‖₂ in the same
    /// number of steps (1D Laplacian, N = 256, 15,000 steps: 0.129 against 0.334), so it is the default.
    /// </summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>Adam's second-moment decay.</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Adam's denominator guard.</summary>
    public double Epsilon { get; init; } = 1e-8;

    /// <summary>Step limit of one block (of the whole run without block-wise training).</summary>
    public int MaxStepsPerBlock { get; init; } = 50_000;

    /// <summary>Saturation rule: window length, minimum relative improvement per window, shortfalls tolerated.</summary>
    public int CheckInterval { get; init; } = 1_000;

    /// <summary>Saturation rule: the minimum relative loss improvement per <see cref="CheckInterval"/> steps.</summary>
    public double Threshold { get; init; } = 0.001;

    /// <summary>Saturation rule: windows below <see cref="Threshold"/> tolerated before the block ends.</summary>
    public int Patience { get; init; } = 2;

    /// <summary>Steps between evaluations of the test loss (random inputs, the whole matrix).</summary>
    public int TestInterval { get; init; } = 100;

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (M < 2 || (M & (M - 1)) != 0) throw Invalid(nameof(M), M, "must be a power of two >= 2");
        if (P < 1) throw Invalid(nameof(P), P, "must be >= 1");
        Positive(nameof(LearningRate), LearningRate);
        Positive(nameof(LateLearningRate), LateLearningRate);
        if (LateAfterSteps < 0) throw Invalid(nameof(LateAfterSteps), LateAfterSteps, "must be >= 0");
        if (!Enum.IsDefined(Schedule)) throw Invalid(nameof(Schedule), Schedule, "is not a known schedule");
        if (!(Beta1 >= 0 && Beta1 < 1)) throw Invalid(nameof(Beta1), Beta1, "must be in [0, 1)");
        if (!(Beta2 >= 0 && Beta2 < 1)) throw Invalid(nameof(Beta2), Beta2, "must be in [0, 1)");
        Positive(nameof(Epsilon), Epsilon);
        if (MaxStepsPerBlock < 1) throw Invalid(nameof(MaxStepsPerBlock), MaxStepsPerBlock, "must be >= 1");
        if (CheckInterval < 1) throw Invalid(nameof(CheckInterval), CheckInterval, "must be >= 1");
        if (!(Threshold >= 0 && double.IsFinite(Threshold))) throw Invalid(nameof(Threshold), Threshold, "must be finite and >= 0");
        if (Patience < 1) throw Invalid(nameof(Patience), Patience, "must be >= 1");
        if (TestInterval < 1) throw Invalid(nameof(TestInterval), TestInterval, "must be >= 1");
    }

    /// <summary>Number of blocks the run trains one after another.</summary>
    public int BlockCount => BlockWise ? M : 1;

    /// <summary>The learning rate at a given step of a block (steps counted from 0).</summary>
    internal double LearningRateAt(int stepInBlock) => Schedule switch
    {
        LearningRateSchedule.Cosine =>
            LateLearningRate + (LearningRate - LateLearningRate) * 0.5 * (1 + Math.Cos(Math.PI * Math.Min(stepInBlock, MaxStepsPerBlock) / MaxStepsPerBlock)),
        _ => stepInBlock < LateAfterSteps ? LearningRate : LateLearningRate,
    };

    private static void Positive(string name, double value)
    {
        if (!(value > 0 && double.IsFinite(value))) throw Invalid(name, value, "must be finite and > 0");
    }

    private static ArgumentOutOfRangeException Invalid(string name, object value, string why) =>
        new(name, value, $"{name} {why}.");
}
