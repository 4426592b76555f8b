using System.Numerics;

namespace GenLu.Gfmm;

public sealed partial class GfmmSolver
{
    /// <summary>Scratch and worker threads for <see cref="SolveParallel(ReadOnlySpan{float}, Span{float}, int, GfmmParallelWorkspace)"/> on this solver's shape; dispose it when done.</summary>
    /// <param name="threads">Threads per call, the caller included; 0 means one per processor.</param>
    /// <param name="batchCapacity">Vectors per panel: a thread solves a panel at a time.</param>
    public GfmmParallelWorkspace CreateParallelWorkspace(int threads = 0, int batchCapacity = GfmmParallelWorkspace.DefaultBatchCapacity) =>
        new(M, P, threads, batchCapacity, Dtype);

    /// <summary>
    /// <see cref="Solve(ReadOnlySpan{float}, Span{float}, int, GfmmWorkspace)"/> on all of the workspace's threads: the
    /// batch is cut into panels of <see cref="GfmmParallelWorkspace.BatchCapacity"/> vectors, solved by the calling thread
    /// and the workspace's workers, each with its own scratch. The result is the serial solve's with a workspace of that
    /// capacity, bit for bit. A batch of one panel or less runs on the calling thread alone. Allocation-free after the
    /// workspace's first call; the same span rules as the serial solve.
    /// </summary>
    public void SolveParallel(ReadOnlySpan<float> b, Span<float> x, int count, GfmmParallelWorkspace workspace) =>
        RunParallel(b, x, count, workspace, Sweep.Lower | Sweep.Upper, transpose: false);

    /// <summary><see cref="SolveTranspose(ReadOnlySpan{float}, Span{float}, int, GfmmWorkspace)"/> on all of the workspace's threads (see <see cref="SolveParallel(ReadOnlySpan{float}, Span{float}, int, GfmmParallelWorkspace)"/>).</summary>
    public void SolveTransposeParallel(ReadOnlySpan<float> b, Span<float> x, int count, GfmmParallelWorkspace workspace) =>
        RunParallel(b, x, count, workspace, Sweep.Lower | Sweep.Upper, transpose: true);

    /// <summary><see cref="Solve(ReadOnlySpan{double}, Span{double}, int, GfmmWorkspace)"/> of a float64 model on all of the
    /// workspace's threads (see <see cref="SolveParallel(ReadOnlySpan{float}, Span{float}, int, GfmmParallelWorkspace)"/>).</summary>
    public void SolveParallel(ReadOnlySpan<double> b, Span<double> x, int count, GfmmParallelWorkspace workspace) =>
        RunParallel(b, x, count, workspace, Sweep.Lower | Sweep.Upper, transpose: false);

    /// <summary><see cref="SolveTranspose(ReadOnlySpan{double}, Span{double}, int, GfmmWorkspace)"/> of a float64 model on all of the workspace's threads.</summary>
    public void SolveTransposeParallel(ReadOnlySpan<double> b, Span<double> x, int count, GfmmParallelWorkspace workspace) =>
        RunParallel(b, x, count, workspace, Sweep.Lower | Sweep.Upper, transpose: true);

    private unsafe void RunParallel<T>(ReadOnlySpan<T> b, Span<T> x, int count, GfmmParallelWorkspace workspace, Sweep sweeps, bool transpose)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(workspace);
        GfmmArguments.CheckBatch(N, b, x, count, workspace.CallerWorkspace, M, P, inputName: "b", outputName: "x");
        GfmmArguments.CheckDtype<T>(Dtype, "solver's model", "b");
        workspace.Enter();
        try
        {
            if (count <= workspace.BatchCapacity || workspace.Threads == 1)
            {
                Run(b, x, count, workspace.CallerWorkspace, sweeps, transpose);
                return;
            }

            // The spans stay pinned until every panel is done: Run returns only then.
            fixed (T* input = b)
            fixed (T* output = x)
            {
                // The workspace's scratch is of one dtype, so its panel work is always for T.
                var panels = (PanelSolve<T>)(workspace.SolveWork ??= new PanelSolve<T>());
                panels.Start(this, input, output, sweeps, transpose);
                try
                {
                    workspace.Run(panels, count);
                }
                finally
                {
                    panels.Stop();
                }
            }
        }
        finally
        {
            workspace.Exit();
        }
    }

    /// <summary>One call's panels: the pinned vectors and the sweeps; each panel is a serial batched solve of its own vectors.</summary>
    private sealed unsafe class PanelSolve<T> : IPanelWork
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private GfmmSolver? solver;
        private T* input;
        private T* output;
        private Sweep sweeps;
        private bool transpose;

        public void Start(GfmmSolver owner, T* b, T* x, Sweep what, bool transposed)
        {
            solver = owner;
            input = b;
            output = x;
            sweeps = what;
            transpose = transposed;
        }

        public void Stop()
        {
            solver = null;
            input = null;
            output = null;
        }

        public void Run(int first, int count, GfmmWorkspace workspace)
        {
            int n = solver!.N;
            long offset = (long)first * n;
            solver.Run(new ReadOnlySpan<T>(input + offset, count * n), new Span<T>(output + offset, count * n), count, workspace, sweeps, transpose);
        }
    }
}
