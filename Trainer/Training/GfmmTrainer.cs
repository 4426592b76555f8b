using System.Diagnostics;
using static TorchSharp.torch;
using GenLu.Trainer.Model;

namespace GenLu.Trainer.Training;

/// <summary>
/// Trains L and U so that <c>L U ≈ A / s</c> (spec "Training"): the inputs are the identity columns
/// <c>e_i</c>, the targets <c>A e_i</c>, the loss is the sum of squared errors, optimised with Adam,
/// either for all rows at once or block row by block row.
/// </summary>
/// <remarks>
/// <para>
/// The whole identity is one batch, so the network's output is the dense product L·U and the loss is
/// <c>‖(LU - A)[rows]‖²</c>. The transpose loss fits <c>U^T L^T e_i ≈ A^T e_i</c> on the same rows; row j
/// of <c>U^T L^T I</c> is column j of L·U, so it equals <c>‖(LU - A)[:, cols]‖²</c> of the same residual and
/// costs no second pass (a test checks this against the explicit transposed products). Without
/// block-wise training it is exactly twice the plain loss, which Adam's scale invariance ignores.
/// </para>
/// <para>
/// Everything after the seeded initialisation is deterministic, and the whole state (weights, optimizer,
/// counters, saturation detector, history) goes into a checkpoint, so a resumed run continues to the
/// same result as an uninterrupted one.
/// </para>
/// </remarks>
internal sealed class GfmmTrainer : IDisposable
{
    private const int TestVectorCount = 32;

    private readonly AdamOptimizer optimizer;
    private readonly SaturationDetector detector;
    private readonly Tensor identity;
    private readonly Tensor target;
    private readonly Tensor testInputs;
    private readonly Tensor testTargets;

    public GfmmTrainer(TrainingProblem problem, TrainingOptions options, ScalarType dtype = ScalarType.Float32)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (problem.N > options.M * options.P)
            throw new ArgumentException($"The matrix is {problem.N} x {problem.N}, larger than M * P = {options.M} * {options.P} = {options.M * options.P}.", nameof(problem));
        Problem = problem;
        Options = options;

        Network = new LuNetwork(options.M, options.P, dtype);
        using (var generator = new Generator((ulong)options.Seed))
            Network.Initialize(generator);
        optimizer = new AdamOptimizer([Network.Lower.Weights, Network.Upper.Weights], options.Beta1, options.Beta2, options.Epsilon);
        detector = new SaturationDetector(options.CheckInterval, options.Threshold, options.Patience);

        // The blocks have order M * P: they fit the padded (A / s) ⊕ I.
        int n = options.M * options.P;
        identity = eye(n, dtype: dtype);
        target = tensor(problem.PaddedMatrix(n), dtype: dtype).view(n, n);
        // The test vectors come from their own generator so that they do not depend on the weights' draw.
        using (var generator = new Generator((ulong)options.Seed + 1))
            testInputs = randn([n, TestVectorCount], dtype: ScalarType.Float64, generator: generator).to(dtype);
        testTargets = target.matmul(testInputs);

        BeginBlock(0);
    }

    public TrainingProblem Problem { get; }
    public TrainingOptions Options { get; }
    public LuNetwork Network { get; }
    public TrainingHistory History { get; } = new();
    internal AdamOptimizer Optimizer => optimizer;
    internal SaturationDetector Detector => detector;

    /// <summary>The block being trained (0 without block-wise training).</summary>
    public int Block { get; private set; }

    public int StepInBlock { get; private set; }
    public long TotalSteps { get; private set; }

    /// <summary>Training time so far, including earlier sessions of a resumed run.</summary>
    public double ElapsedSeconds { get; private set; }

    public bool Finished { get; private set; }

    /// <summary>
    /// Trains until every block is done or <paramref name="cancellation"/> fires. Reports progress every
    /// <paramref name="progressInterval"/> steps and at the end of each block. Writes a checkpoint every
    /// <paramref name="checkpointInterval"/> steps and when stopping, if <paramref name="checkpointPath"/> is set.
    /// </summary>
    public TrainingStatus Run(CancellationToken cancellation, Action<TrainingProgress>? progress = null,
        string? checkpointPath = null, int checkpointInterval = 1_000, int progressInterval = 50)
    {
        if (checkpointInterval < 1) throw new ArgumentOutOfRangeException(nameof(checkpointInterval), checkpointInterval, "Must be >= 1.");
        if (progressInterval < 1) throw new ArgumentOutOfRangeException(nameof(progressInterval), progressInterval, "Must be >= 1.");
        if (checkpointPath is not null) TrainingCheckpoint.RemoveStaleTemporaries(checkpointPath);
        var clock = Stopwatch.StartNew();
        double startSeconds = ElapsedSeconds;
        long startSteps = TotalSteps;
        while (!Finished)
        {
            if (cancellation.IsCancellationRequested)
            {
                if (checkpointPath is not null) TrainingCheckpoint.Save(this, checkpointPath);
                return TrainingStatus.Cancelled;
            }

            double learningRate = Options.LearningRateAt(StepInBlock);
            double loss = Step(learningRate);
            ElapsedSeconds = startSeconds + clock.Elapsed.TotalSeconds;

            bool blockDone = detector.Record(loss) || StepInBlock >= Options.MaxStepsPerBlock;
            if (progress is not null && (TotalSteps % progressInterval == 0 || blockDone))
                progress(Snapshot(loss, learningRate, (TotalSteps - startSteps) / Math.Max(clock.Elapsed.TotalSeconds, 1e-9)));
            if (blockDone)
            {
                if (Block + 1 < Options.BlockCount) BeginBlock(Block + 1);
                else Finished = true;
            }
            if (checkpointPath is not null && (TotalSteps % checkpointInterval == 0 || Finished))
                TrainingCheckpoint.Save(this, checkpointPath);
        }
        return TrainingStatus.Completed;
    }

    /// <summary>One optimisation step of the current block; returns its loss (before the update).</summary>
    public double Step(double learningRate)
    {
        double loss;
        using (var scope = NewDisposeScope())
        {
            using var residual = Network.forward(identity) - target;
            Tensor value = BlockLoss(residual);
            value.backward();
            optimizer.Step(learningRate);
            loss = value.to(ScalarType.Float64).item<double>();
        }
        History.TrainLoss.Add((float)loss);
        StepInBlock++;
        TotalSteps++;
        if (TotalSteps % Options.TestInterval == 0)
            History.TestLoss.Add((TotalSteps, TestLoss()));
        return loss;
    }

    /// <summary>The squared error of the rows (and, with the transpose loss, the columns) of the current block.</summary>
    private Tensor BlockLoss(Tensor residual)
    {
        int p = Options.P;
        Tensor rows = Options.BlockWise ? residual.narrow(0, Block * p, p) : residual;
        Tensor loss = rows.square().sum();
        if (Options.TransposeLoss)
        {
            Tensor columns = Options.BlockWise ? residual.narrow(1, Block * p, p) : residual;
            loss = loss + columns.square().sum();
        }
        return loss;
    }

    /// <summary>Mean of <c>‖(LU - A) x‖²</c> over the fixed random test vectors (an estimate of <c>‖LU - A‖_F²</c>).</summary>
    public double TestLoss()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor error = Network.forward(testInputs) - testTargets;
        return error.square().sum().to(ScalarType.Float64).item<double>() / TestVectorCount;
    }

    /// <summary><c>‖LU - A‖_F²</c> of the whole matrix.</summary>
    public double FullLoss()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return (Network.forward(identity) - target).square().sum().to(ScalarType.Float64).item<double>();
    }

    /// <summary>Restores the counters and detector of a checkpoint (weights and optimizer are restored by the caller).</summary>
    internal void RestoreProgress(int block, int stepInBlock, long totalSteps, double elapsedSeconds, bool finished,
        SaturationDetector.State detectorState)
    {
        if (block < 0 || block >= Options.BlockCount) throw new ArgumentOutOfRangeException(nameof(block), block, $"Must be in [0, {Options.BlockCount}).");
        Block = block;
        ApplyFreezeMasks();
        StepInBlock = stepInBlock;
        TotalSteps = totalSteps;
        ElapsedSeconds = elapsedSeconds;
        Finished = finished;
        detector.Current = detectorState;
    }

    private void BeginBlock(int block)
    {
        Block = block;
        StepInBlock = 0;
        optimizer.Reset();
        detector.Reset();
        ApplyFreezeMasks();
        History.BlockStarts.Add(TotalSteps);
    }

    private void ApplyFreezeMasks()
    {
        if (!Options.BlockWise) return;
        var (lowerFrozen, upperFrozen) = FreezePlan.Frozen(Options.M, Options.P, Block, Options.TransposeLoss);
        optimizer.SetMask(0, Mask(lowerFrozen));
        optimizer.SetMask(1, Mask(upperFrozen));
    }

    private Tensor Mask(bool[] frozen) =>
        tensor(frozen.Select(f => f ? 0.0 : 1.0).ToArray(), dtype: Network.DType).view(frozen.Length, 1, 1);

    private TrainingProgress Snapshot(double loss, double learningRate, double stepsPerSecond)
    {
        long remaining = (long)(Options.MaxStepsPerBlock - StepInBlock) + (long)(Options.BlockCount - Block - 1) * Options.MaxStepsPerBlock;
        return new TrainingProgress(Block, Options.BlockCount, StepInBlock, TotalSteps, loss, learningRate,
            stepsPerSecond, stepsPerSecond > 0 ? remaining / stepsPerSecond : double.PositiveInfinity);
    }

    public void Dispose()
    {
        optimizer.Dispose();
        identity.Dispose();
        target.Dispose();
        testInputs.Dispose();
        testTargets.Dispose();
        Network.Dispose();
    }
}
