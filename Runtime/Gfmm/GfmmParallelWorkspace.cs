using System.Runtime.ExceptionServices;
using GenLu.Structure;

namespace GenLu.Gfmm;

/// <summary>Work on one panel of a batch: the vectors <c>[first, first + count)</c>, with the running thread's own workspace.</summary>
internal interface IPanelWork
{
    void Run(int first, int count, GfmmWorkspace workspace);
}

/// <summary>
/// Scratch and threads for batched solves on every core (<see cref="GfmmSolver.SolveParallel(ReadOnlySpan{float}, Span{float}, int, GfmmParallelWorkspace)"/>):
/// one <see cref="GfmmWorkspace"/> per thread and <c>Threads − 1</c> worker threads, all created here once, so a call
/// allocates nothing. A batch is cut into panels of <see cref="BatchCapacity"/> vectors — the same panels a serial call with
/// a workspace of that capacity uses, so the results are the same bit for bit — and the calling thread and the workers take
/// panels until none is left. Not thread-safe: one call at a time (a concurrent call throws). Dispose ends the workers
/// (they are background threads, so a workspace never disposed does not keep the process alive).
/// </summary>
public sealed class GfmmParallelWorkspace : IDisposable
{
    /// <summary>Panel width by default: the generated solvers' <c>PanelWidth</c>, where the panel products run at full speed.</summary>
    public const int DefaultBatchCapacity = 16;

    /// <summary>At most this many threads: each holds a workspace of its own (about <c>2 N · BatchCapacity</c> floats).</summary>
    public const int MaxThreads = 256;

    private readonly GfmmWorkspace[] workspaces;
    private readonly Thread[] workers;
    private readonly ManualResetEventSlim[] wake;
    // A semaphore, not a CountdownEvent: its blocking wait uses a lock made in its constructor, where
    // ManualResetEventSlim makes one lazily at the first wait that blocks (an allocation inside some later call).
    private readonly SemaphoreSlim finished = new(0);

    // The call in progress, read by the workers after they are woken (the events order the accesses).
    private IPanelWork? work;
    private int count;
    private int nextPanel;
    private ExceptionDispatchInfo? failure;
    private int busy;
    private volatile bool disposed;

    /// <param name="m">Number of leaf blocks of the models this workspace serves.</param>
    /// <param name="p">Their block size.</param>
    /// <param name="threads">Threads that solve panels, the calling one included; 0 means <see cref="Environment.ProcessorCount"/>.</param>
    /// <param name="batchCapacity">Vectors per panel.</param>
    /// <param name="dtype">The models' number type (each thread's scratch is of it).</param>
    public GfmmParallelWorkspace(int m, int p, int threads = 0, int batchCapacity = DefaultBatchCapacity, GfmmDtype dtype = GfmmDtype.Float32)
    {
        if (threads < 0 || threads > MaxThreads)
            throw new ArgumentOutOfRangeException(nameof(threads), threads, $"The number of threads must be in [1, {MaxThreads}], or 0 for one per processor.");
        Threads = threads == 0 ? Math.Min(Environment.ProcessorCount, MaxThreads) : threads;
        // GfmmWorkspace validates M, P and the capacity with the messages every workspace uses.
        workspaces = new GfmmWorkspace[Threads];
        for (int t = 0; t < Threads; t++) workspaces[t] = new GfmmWorkspace(m, p, batchCapacity, dtype);

        wake = new ManualResetEventSlim[Threads - 1];
        workers = new Thread[Threads - 1];
        for (int w = 0; w < workers.Length; w++)
        {
            wake[w] = new ManualResetEventSlim(false);
            int participant = w + 1;
            workers[w] = new Thread(() => WorkerLoop(participant)) { IsBackground = true, Name = $"GenLu solve {participant}" };
            workers[w].Start();
        }
    }

    public int M => workspaces[0].M;
    public int P => workspaces[0].P;

    /// <summary>The number type of the vectors it solves.</summary>
    public GfmmDtype Dtype => workspaces[0].Dtype;

    /// <summary>Threads that take part in a call: the caller and <c>Threads − 1</c> workers.</summary>
    public int Threads { get; }

    /// <summary>Vectors per panel (each thread's workspace capacity).</summary>
    public int BatchCapacity => workspaces[0].BatchCapacity;

    /// <summary>The workspace of the calling thread, for the argument checks and serial calls.</summary>
    internal GfmmWorkspace CallerWorkspace => workspaces[0];

    /// <summary>The panel work object a solver keeps with this workspace (made on the first call, reused after it).</summary>
    internal IPanelWork? SolveWork { get; set; }

    /// <summary>Claims the workspace for one call: a second, concurrent call throws instead of sharing it.</summary>
    internal void Enter()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (Interlocked.Exchange(ref busy, 1) != 0)
            throw new InvalidOperationException("This parallel workspace is already in use by another call; use one workspace per concurrent caller.");
    }

    internal void Exit() => Volatile.Write(ref busy, 0);

    /// <summary>
    /// Between <see cref="Enter"/> and <see cref="Exit"/>: runs <paramref name="panelWork"/> over the panels of
    /// <paramref name="vectors"/> vectors on all threads and returns when every panel is done; an exception of a panel is
    /// rethrown here. Fewer panels than threads wake only as many workers as there are panels beyond the caller's.
    /// </summary>
    internal void Run(IPanelWork panelWork, int vectors)
    {
        int panels = (int)(((long)vectors + BatchCapacity - 1) / BatchCapacity);
        int helpers = Math.Min(workers.Length, panels - 1);
        work = panelWork;
        count = vectors;
        nextPanel = 0;
        failure = null;
        for (int w = 0; w < helpers; w++) wake[w].Set();
        TakePanels(workspaces[0]);
        for (int w = 0; w < helpers; w++) finished.Wait();
        work = null;
        failure?.Throw();
    }

    private void TakePanels(GfmmWorkspace workspace)
    {
        try
        {
            int capacity = workspace.BatchCapacity;
            for (int panel = Interlocked.Increment(ref nextPanel) - 1; (long)panel * capacity < count; panel = Interlocked.Increment(ref nextPanel) - 1)
            {
                int first = panel * capacity;
                work!.Run(first, Math.Min(capacity, count - first), workspace);
            }
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(e), null);
        }
    }

    private void WorkerLoop(int participant)
    {
        var signal = wake[participant - 1];
        while (true)
        {
            signal.Wait();
            signal.Reset();
            if (disposed) return;
            TakePanels(workspaces[participant]);
            finished.Release();
        }
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var signal in wake) signal.Set();
        foreach (var worker in workers) worker.Join();
        foreach (var signal in wake) signal.Dispose();
        finished.Dispose();
    }
}
