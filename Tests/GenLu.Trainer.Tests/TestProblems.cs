using GenLu.Trainer.Training;

namespace GenLu.Tests;

internal static class TestProblems
{
    /// <summary>tridiag(-1, 2, -1), scale 1 (the reference keeps the 1D Laplacian unscaled).</summary>
    public static TrainingProblem Laplacian(int n)
    {
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            a[i * n + i] = 2;
            if (i > 0) a[i * n + i - 1] = -1;
            if (i + 1 < n) a[i * n + i + 1] = -1;
        }
        return new TrainingProblem("laplacian1d", n, a, 1);
    }

    public static TrainingOptions Tiny(int m = 4, int p = 2) => new()
    {
        M = m,
        P = p,
        Seed = 5,
        BlockWise = false,
        Schedule = LearningRateSchedule.Step,
        LateLearningRate = 0.001,
        MaxStepsPerBlock = 60,
        CheckInterval = 10,
        TestInterval = 10,
        LateAfterSteps = 40,
    };
}
