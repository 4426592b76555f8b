using ScottPlot;
using ScottPlot.TickGenerators;
using GenLu.Trainer.Training;

namespace GenLu.Trainer.Plots;

/// <summary>PNG plots of a training run (ScottPlot): the loss curves and the entry-wise error of L·U.</summary>
internal static class TrainingPlots
{
    private const int MaxPointsPerCurve = 4_000;

    /// <summary>
    /// Training loss (every step, thinned to a few thousand points) and test loss on a log axis, with a
    /// dashed line where each block begins.
    /// </summary>
    public static void SaveLossPlot(TrainingHistory history, string path)
    {
        var plot = new Plot();
        var train = Thin(history.TrainLoss.Select((loss, step) => (Step: (double)(step + 1), Loss: (double)loss)).ToList());
        AddCurve(plot, train, "training loss (current block)", Colors.SteelBlue);
        AddCurve(plot, history.TestLoss.Select(t => ((double)t.Step, t.Loss)).ToList(), "test loss (whole matrix, random x)", Colors.OrangeRed);
        foreach (long start in history.BlockStarts.Skip(1))
        {
            var line = plot.Add.VerticalLine(start);
            line.Color = Colors.Gray.WithAlpha(0.6);
            line.LinePattern = LinePattern.Dashed;
        }
        plot.Axes.Left.TickGenerator = LogTicks();
        plot.Title("GenLu training");
        plot.XLabel("step");
        plot.YLabel("loss (sum of squares)");
        plot.ShowLegend(Alignment.UpperRight);
        Save(plot, path, 1000, 560);
    }

    /// <summary><c>|LU − A/s|</c> entry by entry as a heatmap on a log colour scale (row 0 at the top).</summary>
    public static void SaveErrorHeatmap(double[] residual, int n, string path)
    {
        // Entries below 1e-12 of the largest are shown at that floor so the log scale stays finite.
        double largest = residual.Max(Math.Abs);
        double floor = Math.Max(largest * 1e-12, double.Epsilon);
        // ScottPlot draws the first data row at the top of the y range; store row r at y = r and flip the
        // axis so that row 0 is at the top, as a matrix is read.
        var values = new double[n, n];
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++)
                values[n - 1 - r, c] = Math.Log10(Math.Max(Math.Abs(residual[r * n + c]), floor));

        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(values);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        var bar = plot.Add.ColorBar(heatmap);
        bar.Axis.TickGenerator = LogTicks();
        bar.Label = "|LU - A|";
        plot.Axes.InvertY();
        plot.Title("|LU - A| (log scale)");
        plot.XLabel("column");
        plot.YLabel("row");
        Save(plot, path, 760, 640);
    }

    private static void AddCurve(Plot plot, IReadOnlyList<(double Step, double Loss)> points, string label, Color color)
    {
        var positive = points.Where(p => p.Loss > 0).ToArray();
        if (positive.Length == 0) return;
        var scatter = plot.Add.ScatterLine(positive.Select(p => p.Step).ToArray(), positive.Select(p => Math.Log10(p.Loss)).ToArray());
        scatter.LegendText = label;
        scatter.Color = color;
        scatter.LineWidth = 1.5f;
    }

    /// <summary>Keeps every k-th point so a curve has at most <see cref="MaxPointsPerCurve"/> points.</summary>
    private static List<(double Step, double Loss)> Thin(List<(double Step, double Loss)> points)
    {
        int stride = Math.Max(1, points.Count / MaxPointsPerCurve);
        return points.Where((_, i) => i % stride == 0 || i == points.Count - 1).ToList();
    }

    /// <summary>Ticks for an axis whose values are log10 of the data: labels 1e-3, 1e-2, … and log minor ticks.</summary>
    private static NumericAutomatic LogTicks() => new()
    {
        MinorTickGenerator = new LogMinorTickGenerator(),
        IntegerTicksOnly = true,
        LabelFormatter = exponent => $"1e{exponent:0}",
    };

    /// <summary>Renders to a temporary file beside <paramref name="path"/>, then moves it into place.</summary>
    private static void Save(Plot plot, string path, int width, int height)
    {
        string full = Path.GetFullPath(path);
        string temporary = Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N") + ".png");
        try
        {
            plot.SavePng(temporary, width, height);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
