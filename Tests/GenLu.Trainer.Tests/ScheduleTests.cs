using GenLu.Trainer.Training;

namespace GenLu.Tests;

public class ScheduleTests
{
    [Fact]
    public void TheStepScheduleDropsAfterLateAfterSteps()
    {
        var options = new TrainingOptions { Schedule = LearningRateSchedule.Step, LearningRate = 0.01, LateLearningRate = 0.001, LateAfterSteps = 5000 };
        options.LearningRateAt(0).ShouldBe(0.01);
        options.LearningRateAt(4999).ShouldBe(0.01);
        options.LearningRateAt(5000).ShouldBe(0.001);
    }

    [Fact]
    public void TheCosineScheduleRunsFromTheLearningRateToTheLateOneOverTheBlock()
    {
        var options = new TrainingOptions { LearningRate = 0.01, LateLearningRate = 0.0001, MaxStepsPerBlock = 1000, Schedule = LearningRateSchedule.Cosine };
        options.LearningRateAt(0).ShouldBe(0.01, 1e-15);
        options.LearningRateAt(500).ShouldBe((0.01 + 0.0001) / 2, 1e-15);
        options.LearningRateAt(1000).ShouldBe(0.0001, 1e-15);
    }

    [Fact]
    public void SaturationNeedsPatienceConsecutiveShortWindows()
    {
        var detector = new SaturationDetector(checkInterval: 2, threshold: 0.1, patience: 2);
        // Window means: 10 (first, no comparison), 5 (50 % better), 4.8 (4 %: short), 4.0 (17 %: resets), 3.9, 3.8 (short, short).
        double[] losses = [10, 10, 5, 5, 4.8, 4.8, 4.0, 4.0, 3.9, 3.9, 3.8, 3.8];
        var saturatedAt = losses.Select((loss, step) => (detector.Record(loss), step)).Where(r => r.Item1).Select(r => r.step).ToList();
        saturatedAt.ShouldBe([11]);
    }

    [Fact]
    public void InvalidOptionsNameTheSetting()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new TrainingOptions { M = 6 }.Validate()).ParamName.ShouldBe("M");
        Should.Throw<ArgumentOutOfRangeException>(() => new TrainingOptions { Beta1 = 1 }.Validate()).ParamName.ShouldBe("Beta1");
        Should.Throw<ArgumentOutOfRangeException>(() => new TrainingOptions { LearningRate = double.NaN }.Validate()).ParamName.ShouldBe("LearningRate");
    }
}
