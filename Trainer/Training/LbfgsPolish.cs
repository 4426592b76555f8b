using static TorchSharp.torch;
using GenLu.Trainer.Model;

namespace GenLu.Trainer.Training;

/// <summary>
/// A final polish of a trained network: L-BFGS (two-loop recursion, Armijo backtracking) in float64 on
/// the whole loss <c>‖LU − A/s‖²_F</c>, all weights free. It is a deterministic function of the trained
/// weights, so a resumed run that polishes again reaches the same result.
/// </summary>
internal static class LbfgsPolish
{
    private const int History = 20;
    private const double Armijo = 1e-4;
    private const int MaxBacktracks = 30;

    /// <summary>
    /// Polishes <paramref name="network"/> in place for at most <paramref name="iterations"/> iterations;
    /// returns the iterations done and the final loss.
    /// </summary>
    /// <param name="report">Told after every iteration (on the calling thread): the polish can take as long as the
    /// training, and a display would otherwise show nothing.</param>
    public static (int Iterations, double Loss) Run(LuNetwork network, TrainingProblem problem, int iterations, CancellationToken cancellation,
        Action<PolishProgress>? report = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(iterations);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var precise = new LuNetwork(network.M, network.P, ScalarType.Float64);
        var parameters = precise.Factors.Select(f => f.Weights).ToArray();
        var sources = network.Factors.Select(f => f.Weights).ToArray();
        using var identity = eye(network.N, dtype: ScalarType.Float64);
        using var target = tensor(problem.PaddedMatrix(network.N), dtype: ScalarType.Float64).view(network.N, network.N);
        var steps = new List<(Tensor S, Tensor Y, double Rho)>();

        using (no_grad())
            for (int i = 0; i < parameters.Length; i++) parameters[i].copy_(sources[i]);

        Tensor position = Flatten(parameters).DetachFromDisposeScope();
        var (loss, gradient) = LossAndGradient(precise, identity, target, parameters);
        int done = 0;
        for (; done < iterations && !cancellation.IsCancellationRequested; done++)
        {
            using var scope = NewDisposeScope();
            Tensor direction = Direction(gradient, steps);
            double slope = direction.dot(gradient).item<double>();
            if (!(slope < 0))
            {
                // Not a descent direction (curvature information went stale): restart from steepest descent.
                Forget(steps);
                direction = gradient.neg();
                slope = -gradient.dot(gradient).item<double>();
                if (slope == 0) break;
            }

            // The first step is scaled like PyTorch's L-BFGS, later ones start at the full quasi-Newton step.
            double step = steps.Count == 0 ? Math.Min(1, 1 / gradient.abs().sum().item<double>()) : 1;
            Tensor candidate = position;
            double candidateLoss = double.NaN;
            Tensor candidateGradient = gradient;
            bool accepted = false;
            for (int backtrack = 0; backtrack < MaxBacktracks && !accepted; backtrack++, step /= 2)
            {
                candidate = position + direction * step;
                Assign(parameters, candidate);
                (candidateLoss, candidateGradient) = LossAndGradient(precise, identity, target, parameters);
                accepted = candidateLoss <= loss + Armijo * step * slope;
            }
            if (!accepted)
            {
                Assign(parameters, position);
                break;
            }

            Tensor s = (candidate - position).DetachFromDisposeScope();
            Tensor y = (candidateGradient - gradient).DetachFromDisposeScope();
            double curvature = y.dot(s).item<double>();
            if (curvature > 1e-12 * s.dot(s).item<double>())
            {
                steps.Add((s, y, 1 / curvature));
                if (steps.Count > History)
                {
                    steps[0].S.Dispose();
                    steps[0].Y.Dispose();
                    steps.RemoveAt(0);
                }
            }
            else
            {
                s.Dispose();
                y.Dispose();
            }
            position.Dispose();
            gradient.Dispose();
            position = candidate.DetachFromDisposeScope();
            gradient = candidateGradient.DetachFromDisposeScope();
            loss = candidateLoss;
            report?.Invoke(new PolishProgress(done + 1, iterations, loss, clock.Elapsed.TotalSeconds));
        }

        using (no_grad())
            for (int i = 0; i < parameters.Length; i++) sources[i].copy_(parameters[i]);
        position.Dispose();
        gradient.Dispose();
        Forget(steps);
        return (done, loss);
    }

    private static void Forget(List<(Tensor S, Tensor Y, double Rho)> steps)
    {
        foreach (var step in steps)
        {
            step.S.Dispose();
            step.Y.Dispose();
        }
        steps.Clear();
    }

    /// <summary>The two-loop recursion: <c>−H g</c> with H the L-BFGS inverse-Hessian estimate.</summary>
    private static Tensor Direction(Tensor gradient, List<(Tensor S, Tensor Y, double Rho)> steps)
    {
        Tensor q = gradient.clone();
        var alphas = new double[steps.Count];
        for (int k = steps.Count - 1; k >= 0; k--)
        {
            alphas[k] = steps[k].Rho * steps[k].S.dot(q).item<double>();
            q.sub_(steps[k].Y * alphas[k]);
        }
        if (steps.Count > 0)
        {
            var (s, y, _) = steps[^1];
            q.mul_(s.dot(y).item<double>() / y.dot(y).item<double>());
        }
        for (int k = 0; k < steps.Count; k++)
        {
            double beta = steps[k].Rho * steps[k].Y.dot(q).item<double>();
            q.add_(steps[k].S * (alphas[k] - beta));
        }
        return q.neg_();
    }

    private static (double Loss, Tensor Gradient) LossAndGradient(LuNetwork network, Tensor identity, Tensor target, Tensor[] parameters)
    {
        foreach (var p in parameters) p.grad?.zero_();
        using var scope = NewDisposeScope();
        Tensor loss = (network.forward(identity) - target).square().sum();
        loss.backward();
        double value = loss.item<double>();
        return (value, Flatten(parameters.Select(p => p.grad!).ToArray()).MoveToOuterDisposeScope());
    }

    private static Tensor Flatten(Tensor[] tensors) => cat(tensors.Select(t => t.detach().flatten()).ToArray());

    private static void Assign(Tensor[] parameters, Tensor flat)
    {
        using var noGrad = no_grad();
        long offset = 0;
        foreach (var p in parameters)
        {
            long count = p.numel();
            p.copy_(flat.narrow(0, offset, count).view(p.shape));
            offset += count;
        }
    }
}

/// <summary>A snapshot of a running L-BFGS polish, for progress displays.</summary>
/// <param name="Iteration">Iterations done (1 after the first).</param>
/// <param name="MaxIterations">The iteration limit (the polish may stop earlier, when no step lowers the loss).</param>
/// <param name="Loss">The current loss <c>‖LU − A/s‖²_F</c> in float64.</param>
/// <param name="Seconds">Time since the polish began.</param>
public readonly record struct PolishProgress(int Iteration, int MaxIterations, double Loss, double Seconds);
