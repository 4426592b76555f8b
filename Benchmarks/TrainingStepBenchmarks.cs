using BenchmarkDotNet.Attributes;
using GenLu.Benchmarks.Support;
using GenLu.Operators;
using GenLu.Trainer.Training;
using static TorchSharp.torch;

namespace GenLu.Benchmarks;

/// <summary>
/// One optimisation step of the trainer at its default shape, M = 8, P = 32 (N = 256), on the 1D Laplacian
/// with the trainer's default options and seed: the product L·U of the whole identity batch, the block-wise
/// loss, backward, the Adam update, and every 100th step the test loss — the unit behind the trainer's
/// "steps/s". TorchSharp on the CPU with 1 and 2 threads (the trainer's default is min(cores, 2)).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(SuiteConfig))]
public class TrainingStepBenchmarks
{
    private GfmmTrainer _trainer = null!;

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        set_num_threads(Threads);
        var laplacian = TestOperators.Laplacian1d(8 * 32);
        var problem = new TrainingProblem(laplacian.Name, laplacian.N, laplacian.Matrix, laplacian.Scale);
        _trainer = new GfmmTrainer(problem, new TrainingOptions { M = 8, P = 32 });
    }

    [GlobalCleanup]
    public void Cleanup() => _trainer.Dispose();

    [Benchmark]
    public double Step() => _trainer.Step(_trainer.Options.LearningRateAt(_trainer.StepInBlock));
}
