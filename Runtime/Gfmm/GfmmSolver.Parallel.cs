namespace GenLu.Gfmm;

public sealed partial class GfmmSolver
{
    /// <summary>Scratch and worker threads for <see cref="SolveParallel"/> on this solver's shape; dispose it when done.</summary>
    /// <param name="threads">Threads per call, the caller included; 0 means one per processor.</param>
    /// <param name="batchCapacity">Vectors per panel: a thread solves a panel at a time.</param>
    public GfmmParallelWorkspace CreateParallelWorkspace(int threads = 0, int batchCapacity = GfmmParallelWorkspace.DefaultBatchCapacity) =>
        new(M, P, threads, batchCapacity);

    /// <summary>
    /// <see cref="Solve(ReadOnlySpan{float}, Span{float}, int, GfmmWorkspace)"/> on all of the workspace's threads: the
    /// batch is cut into panels of <see cref="GfmmParallelWorkspace.BatchCapacity"/> vectors, solved by the calling thread
    /// and the workspace's workers, each with its own scratch. The result is the serial solve's with a workspace of that
    /// capacity, bit for bit. A batch of one panel or less runs on the calling thread alone. Allocation-free after the
    /// workspace's first call; the same span rules as the serial solve.
    /// </summary>
    public void SolveParallel(ReadOnlySpan<float> b, Span<float> x, int count, GfmmParallelWorkspace workspace) =>
        RunParallel(b, x, count, workspace, Sweep.Lower | Sweep.Upper, transpose: false);

    /// <summary><see cref="SolveTranspose(ReadOnlySpan{float}, Span{float}, int, GfmmWorkspace)"/> on all of the workspace's threads (see <see cref="SolveParallel"/>).</summary>
    public void SolveTransposeParallel(ReadOnlySpan<float> b, Span<float> x, int count, GfmmParallelWorkspace workspace) =>
        RunParallel(b, x, count, workspace, Sweep.Lower | Sweep.Upper, transpose: true);

    private unsafe void RunParallel(ReadOnlySpan<float> b, Span<float> x, int count, GfmmParallelWorkspace workspace, Sweep sweeps, bool transpose)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        GfmmArguments.CheckBatch(N, b, x, count, workspace.CallerWorkspace, M, P, inputName: "b", outputName: "x");
        workspace.Enter();
        try
        {
            if (count <= workspace.BatchCapacity || workspace.Threads == 1)
            {
                Run(b, x, count, workspace.CallerWorkspace, sweeps, transpose);
                return;
            }

            // The spans stay pinned until every panel is done: Run returns only then.
            fixed (float* input = b)
            fixed (float* output = x)
            {
                var panels = (PanelSolve)(workspace.SolveWork ??= new PanelSolve());
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
    private sealed unsafe class PanelSolve : IPanelWork
    {
        private GfmmSolver? solver;
        private float* input;
        private float* output;
        private Sweep sweeps;
        private bool transpose;

        public void Start(GfmmSolver owner, float* b, float* x, Sweep what, bool transposed)
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
            solver.Run(new ReadOnlySpan<float>(input + offset, count * n), new Span<float>(output + offset, count * n), count, workspace, sweeps, transpose);
        }
    }
}
