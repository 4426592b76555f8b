using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenLu.Trainer.Training;

/// <summary>
/// Adam (Kingma and Ba) over a fixed list of parameters, each with an optional gradient mask (1 = trainable,
/// 0 = frozen, broadcast over the parameter). Written here rather than taken from TorchSharp so that its
/// whole state (both moments and the step count) can be checkpointed and restored exactly.
/// </summary>
/// <remarks>
/// A frozen entry has gradient 0; right after <see cref="Reset"/> its moments are 0 too, so its update is
/// exactly 0 and the weight stays bit-identical.
/// </remarks>
internal sealed class AdamOptimizer : IDisposable
{
    private readonly Parameter[] parameters;
    private readonly Tensor[] firstMoments;
    private readonly Tensor[] secondMoments;
    private readonly Tensor?[] masks;

    public AdamOptimizer(IReadOnlyList<Parameter> parameters, double beta1, double beta2, double epsilon)
    {
        if (!(beta1 >= 0 && beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "Must be in [0, 1).");
        if (!(beta2 >= 0 && beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "Must be in [0, 1).");
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "Must be > 0.");
        this.parameters = [.. parameters];
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        firstMoments = this.parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
        secondMoments = this.parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
        masks = new Tensor?[this.parameters.Length];
    }

    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Epsilon { get; }

    /// <summary>Steps taken since the last <see cref="Reset"/> (the bias-correction exponent).</summary>
    public long StepCount { get; private set; }

    public IReadOnlyList<Tensor> FirstMoments => firstMoments;
    public IReadOnlyList<Tensor> SecondMoments => secondMoments;

    /// <summary>Sets the gradient mask of parameter <paramref name="index"/> (null: all trainable).</summary>
    public void SetMask(int index, Tensor? mask)
    {
        masks[index]?.Dispose();
        masks[index] = mask?.DetachFromDisposeScope();
    }

    /// <summary>Restarts the optimizer: zero moments, step count 0.</summary>
    public void Reset()
    {
        using var noGrad = no_grad();
        foreach (var t in firstMoments.Concat(secondMoments)) t.zero_();
        StepCount = 0;
    }

    /// <summary>Restores a checkpointed state (moments as flat arrays in parameter order).</summary>
    public void Restore(long stepCount, IReadOnlyList<double[]> first, IReadOnlyList<double[]> second)
    {
        if (stepCount < 0) throw new ArgumentOutOfRangeException(nameof(stepCount), stepCount, "Must be >= 0.");
        using var noGrad = no_grad();
        for (int i = 0; i < parameters.Length; i++)
        {
            firstMoments[i].copy_(tensor(first[i]).view(firstMoments[i].shape));
            secondMoments[i].copy_(tensor(second[i]).view(secondMoments[i].shape));
        }
        StepCount = stepCount;
    }

    /// <summary>One Adam update with the gradients currently stored in the parameters; clears them.</summary>
    public void Step(double learningRate)
    {
        StepCount++;
        double correction1 = 1 - Math.Pow(Beta1, StepCount);
        double correction2 = 1 - Math.Pow(Beta2, StepCount);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        for (int i = 0; i < parameters.Length; i++)
        {
            Tensor? gradient = parameters[i].grad;
            if (gradient is null) continue;
            if (masks[i] is { } mask) gradient.mul_(mask);
            firstMoments[i].mul_(Beta1).add_(gradient, alpha: 1 - Beta1);
            secondMoments[i].mul_(Beta2).addcmul_(gradient, gradient, value: 1 - Beta2);
            Tensor denominator = secondMoments[i].sqrt().div_(Math.Sqrt(correction2)).add_(Epsilon);
            parameters[i].addcdiv_(firstMoments[i], denominator, value: -learningRate / correction1);
            gradient.zero_();
        }
    }

    public void Dispose()
    {
        foreach (var t in firstMoments.Concat(secondMoments)) t.Dispose();
        foreach (var mask in masks) mask?.Dispose();
    }
}
