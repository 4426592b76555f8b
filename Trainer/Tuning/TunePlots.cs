using GenLu.Trainer.Plots;
using ScottPlot;

namespace GenLu.Trainer.Tuning;

/// <summary>The tuner's Pareto plot: solve time against relative error, one marker per candidate, the front joined.</summary>
internal static class TunePlots
{
    public const string FileName = "pareto.png";

    /// <summary>Writes <see cref="FileName"/> into <paramref name="directory"/> (atomically); returns its path.</summary>
    public static string SavePareto(TuneResult result, string directory)
    {
        var plot = new Plot();
        var measured = result.Candidates
            .Where(c => c.SolveSeconds > 0 && c.RelativeError > 0 && double.IsFinite(c.RelativeError)).ToList();
        foreach (var kind in measured.Select(c => c.Spec.Kind).Distinct())
        {
            var points = measured.Where(c => c.Spec.Kind == kind).ToList();
            var markers = plot.Add.ScatterPoints(points.Select(c => Math.Log10(c.SolveSeconds * 1e6)).ToArray(), points.Select(c => Math.Log10(c.RelativeError)).ToArray());
            markers.LegendText = kind switch { CandidateKind.Exact => "exact", CandidateKind.Trained => "trained", _ => "exact + fine-tune" };
            markers.MarkerSize = 9;
        }
        var front = TuneSelection.ParetoFront(result.Candidates);
        if (front.Count > 1)
        {
            var line = plot.Add.ScatterLine(front.Select(c => Math.Log10(c.SolveSeconds * 1e6)).ToArray(), front.Select(c => Math.Log10(c.RelativeError)).ToArray());
            line.LegendText = "Pareto front";
            line.Color = Colors.Gray;
            line.LinePattern = LinePattern.Dashed;
        }
        if (result.Choice is { } choice && result.Candidates[choice] is { SolveSeconds: > 0, RelativeError: > 0 } chosen)
        {
            var mark = plot.Add.ScatterPoints(new[] { Math.Log10(chosen.SolveSeconds * 1e6) }, new[] { Math.Log10(chosen.RelativeError) });
            mark.MarkerShape = MarkerShape.OpenCircle;
            mark.MarkerSize = 20;
            mark.Color = Colors.Red;
            mark.LegendText = $"chosen: {chosen.Spec.Label}";
        }
        plot.Axes.Bottom.TickGenerator = TrainingPlots.LogTicks();
        plot.Axes.Left.TickGenerator = TrainingPlots.LogTicks();
        plot.Title("genlu tune: plain float solve, time against error");
        plot.XLabel("Runtime solve time (µs, median)");
        plot.YLabel("‖x − x_true‖ / ‖x_true‖");
        plot.ShowLegend(Alignment.UpperRight);
        string path = Path.Combine(directory, FileName);
        TrainingPlots.Save(plot, path, 900, 560);
        return path;
    }
}
