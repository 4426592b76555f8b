using GenLu.Structure;
namespace GenLu.Trainer.Tuning;

/// <summary>How a candidate's factors are made.</summary>
internal enum CandidateKind
{
    /// <summary>The algebraic construction (<c>genlu factor</c>).</summary>
    Exact,

    /// <summary>Learned from random weights (<c>genlu train</c>), with the tuner's step cap.</summary>
    Trained,

    /// <summary>The exact construction refined by training (<c>genlu train --init exact</c>), kept only if training lowered ‖LU − A/s‖.</summary>
    ExactFineTuned,
}

/// <summary>One point of the search: how to build, the block layout, the far-field truncation tolerance.</summary>
internal sealed record CandidateSpec(CandidateKind Kind, int M, int P, double Tolerance, GfmmDtype Dtype = GfmmDtype.Float32)
{
    public string Label => Kind switch
    {
        CandidateKind.Exact => $"exact P={P} tol={Tolerance:0e+0}{(Dtype == GfmmDtype.Float64 ? " float64" : "")}",
        CandidateKind.Trained => $"trained P={P}",
        _ => $"exact+fine-tune P={P}",
    };
}

/// <summary>
/// What the tuner measured for a candidate on this machine (times are medians of repeated runs, in seconds).
/// <see cref="AnswerSeconds"/> is the time of one solve that reaches the requested accuracy: the plain float solve
/// when its relative residual already does, otherwise GMRES preconditioned by the model; null when neither does.
/// </summary>
internal sealed record CandidateMeasurement(
    CandidateSpec Spec,
    double BuildSeconds,
    long ModelBytes,
    double BackwardError,
    double RelativeResidual,
    double RelativeError,
    double SolveSeconds,
    int? GmresIterations,
    double? AnswerSeconds,
    string? Failure)
{
    /// <summary>Build once, then <paramref name="rhsPerBuild"/> solves at the accuracy; null when it cannot reach it.</summary>
    public double? TimeToAnswer(int rhsPerBuild) => AnswerSeconds is { } answer ? BuildSeconds + (rhsPerBuild * answer) : null;

    public static CandidateMeasurement Failed(CandidateSpec spec, double buildSeconds, string reason) =>
        new(spec, buildSeconds, 0, double.NaN, double.NaN, double.NaN, double.NaN, null, null, reason);
}

/// <summary>A double-precision direct peer measured the same way (factor once, median solve).</summary>
internal sealed record PeerMeasurement(string Name, double FactorSeconds, double SolveSeconds, double RelativeResidual, double RelativeError, string? Skipped)
{
    public double? TimeToAnswer(int rhsPerBuild, double accuracy) =>
        Skipped is null && RelativeResidual <= accuracy ? FactorSeconds + (rhsPerBuild * SolveSeconds) : null;
}

/// <summary>The tuner's rule, kept apart from the measuring so that it can be checked on its own.</summary>
internal static class TuneSelection
{
    /// <summary>
    /// The index of the candidate with the least time to <paramref name="rhsPerBuild"/> answers at the accuracy (build +
    /// that many solves), ties to the smaller model then the earlier candidate; null when none reaches the accuracy.
    /// </summary>
    public static int? Choose(IReadOnlyList<CandidateMeasurement> candidates, int rhsPerBuild)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentOutOfRangeException.ThrowIfLessThan(rhsPerBuild, 1);
        int? best = null;
        for (int i = 0; i < candidates.Count; i++)
        {
            if (candidates[i].TimeToAnswer(rhsPerBuild) is not { } time) continue;
            if (best is not { } b) { best = i; continue; }
            double bestTime = candidates[b].TimeToAnswer(rhsPerBuild)!.Value;
            if (time < bestTime || (time == bestTime && candidates[i].ModelBytes < candidates[b].ModelBytes)) best = i;
        }
        return best;
    }

    /// <summary>
    /// The candidates no other candidate beats in both solve time and relative error (the Pareto front of the plot), in
    /// order of solve time; failed candidates are left out.
    /// </summary>
    public static IReadOnlyList<CandidateMeasurement> ParetoFront(IReadOnlyList<CandidateMeasurement> candidates)
    {
        var measured = candidates.Where(c => c.Failure is null && double.IsFinite(c.RelativeError)).OrderBy(c => c.SolveSeconds).ThenBy(c => c.RelativeError).ToList();
        var front = new List<CandidateMeasurement>();
        double bestError = double.PositiveInfinity;
        foreach (var candidate in measured)
        {
            if (candidate.RelativeError >= bestError) continue;
            front.Add(candidate);
            bestError = candidate.RelativeError;
        }
        return front;
    }
}
