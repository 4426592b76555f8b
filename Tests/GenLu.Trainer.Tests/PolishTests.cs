using GenLu.Tests.Support;
using GenLu.Trainer.Training;

namespace GenLu.Tests;

public class PolishTests
{
    [Fact]
    public void PolishLowersTheWholeLossDeterministically()
    {
        var options = TestProblems.Tiny(4, 3) with { MaxStepsPerBlock = 100 };
        using var first = new GfmmTrainer(TestProblems.Laplacian(12), options);
        first.Run(CancellationToken.None);
        double before = first.FullLoss();
        var (iterations, loss) = LbfgsPolish.Run(first.Network, first.Problem, 60, CancellationToken.None);
        iterations.ShouldBeGreaterThan(0);
        first.FullLoss().ShouldBeLessThan(before / 10);

        // The reported loss is the float64 ‖LU − A‖²_F; the float32 weights reproduce it up to rounding.
        var (lower, upper) = first.Network.ExportBlocks();
        double independent = 0;
        for (int c = 0; c < 12; c++)
        {
            var e = new double[12];
            e[c] = 1;
            var column = NaiveGfmm.Multiply(lower, NaiveGfmm.Multiply(upper, e));
            for (int r = 0; r < 12; r++) independent += Math.Pow(column[r] - first.Problem.Matrix[r * 12 + c], 2);
        }
        independent.ShouldBe(loss, Math.Max(loss * 1e-2, 1e-9));

        using var second = new GfmmTrainer(TestProblems.Laplacian(12), options);
        second.Run(CancellationToken.None);
        LbfgsPolish.Run(second.Network, second.Problem, 60, CancellationToken.None);
        second.Network.ExportBlocks().Lower.ToArray().ShouldBe(lower.ToArray());
    }

    [Fact]
    public void ACancelledPolishStopsAtOnce()
    {
        using var trainer = new GfmmTrainer(TestProblems.Laplacian(8), TestProblems.Tiny() with { MaxStepsPerBlock = 10 });
        trainer.Run(CancellationToken.None);
        LbfgsPolish.Run(trainer.Network, trainer.Problem, 50, new CancellationToken(canceled: true)).Iterations.ShouldBe(0);
    }
}
