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

    /// <summary>
    /// <c>|LU − A/s|</c> entry by entry as a heatmap on a log colour scale, read as a matrix is: row 0 at the
    /// top, column 0 at the left, so a diagonal error runs from the top left to the bottom right; thin lines
    /// mark the P x P leaf blocks.
    /// </summary>
    public static void SaveErrorHeatmap(double[] residual, int n, int blockSize, string modelName, string path) =>
        Save(ErrorHeatmap(residual, n, blockSize, modelName), path, HeatmapWidth, HeatmapHeight);

    internal const int HeatmapWidth = 760, HeatmapHeight = 640;

    /// <summary>The heatmap plot: entry (r, c) fills the unit square [c, c + 1] x [r, r + 1] of an axis whose
    /// y grows downwards.</summary>
    internal static Plot ErrorHeatmap(double[] residual, int n, int blockSize, string modelName)
    {
        ArgumentNullException.ThrowIfNull(residual);
        if (n < 1 || residual.Length != (long)n * n)
            throw new ArgumentException($"A {n} x {n} residual has {(long)n * n} entries, not {residual.Length}.", nameof(residual));
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        // Entries below 1e-12 of the largest are shown at that floor so the log scale stays finite.
        double largest = residual.Max(Math.Abs);
        double floor = Math.Max(largest * 1e-12, double.Epsilon);
        // ScottPlot puts intensity row 0 at the rectangle's largest y whatever the axis direction, which on
        // this downward axis is the bottom: so row r is stored at n - 1 - r (the pixel test checks it).
        var values = new double[n, n];
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++)
                values[n - 1 - r, c] = Math.Log10(Math.Max(Math.Abs(residual[r * n + c]), floor));

        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(values);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        heatmap.Rectangle = new CoordinateRect(0, n, n, 0);
        var bar = plot.Add.ColorBar(heatmap);
        bar.Axis.TickGenerator = LogTicks();
        bar.Label = "|LU − A/s|";
        for (int edge = blockSize; edge < n; edge += blockSize)
        {
            foreach (var line in new ScottPlot.Plottables.AxisLine[] { plot.Add.VerticalLine(edge), plot.Add.HorizontalLine(edge) })
            {
                line.Color = Colors.White.WithAlpha(0.5);
                line.LineWidth = 1;
            }
        }
        plot.Axes.SetLimits(0, n, n, 0);
        plot.Title($"|LU − A/s| of {modelName} (log scale, {blockSize} x {blockSize} blocks)");
        plot.XLabel("column");
        plot.YLabel("row");
        return plot;
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
    internal static NumericAutomatic LogTicks() => new()
    {
        MinorTickGenerator = new LogMinorTickGenerator(),
        IntegerTicksOnly = true,
        LabelFormatter = exponent => $"1e{exponent:0}",
    };

    /// <summary>Renders to a temporary file beside <paramref name="path"/>, then moves it into place.</summary>
    internal static void Save(Plot plot, string path, int width, int height)
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
